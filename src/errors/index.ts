export { LmTransferError, ShapeError, DomainError, NumericalError, FormatError } from './errors.js';
