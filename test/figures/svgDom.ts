// Test helper: parse an SVG string strictly as XML and query it by class, as a reader of the figure would.
import { DOMParser, type Element } from '@xmldom/xmldom';

/** Parse `svg`; a well-formedness error throws (xmldom's onError 'error' level is fatal here). */
export function parseSvg(svg: string): Element {
  const doc = new DOMParser({
    onError: (level, msg) => {
      if (level !== 'warning') throw new Error(`SVG is not well-formed XML: ${msg}`);
    },
  }).parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement;
  if (!root) throw new Error('no root element');
  return root;
}

/** Every descendant element, depth first. */
export function descendants(el: Element): Element[] {
  const out: Element[] = [];
  const walk = (e: Element): void => {
    for (let c = e.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 1) {
        out.push(c as Element);
        walk(c as Element);
      }
    }
  };
  walk(el);
  return out;
}

/** Descendants whose `class` attribute contains every class in `cls` (space separated). */
export function byClass(el: Element, cls: string): Element[] {
  const want = cls.split(' ');
  return descendants(el).filter((e) => {
    const have = (e.getAttribute('class') ?? '').split(/\s+/);
    return want.every((w) => have.includes(w));
  });
}

/** The text content of an element, trimmed. */
export function text(el: Element): string {
  return (el.textContent ?? '').trim();
}

/** Numeric attribute. */
export function num(el: Element, name: string): number {
  return Number(el.getAttribute(name));
}
