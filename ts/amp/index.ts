// amp: mixed precision (torch.amp): autocast regions for low-precision matmuls and GradScaler for
// dynamic loss scaling.
export { autocast, autocastDtype, type AutocastDtype, type AutocastOptions } from './autocast.js';
export { GradScaler, type GradScalerOptions, type GradScalerState } from './grad-scaler.js';
