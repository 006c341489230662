// One C element of an f32 GEMM with the Linear epilogue, as the driver's separate pass would give
// it (assembly/f32-biasact): y = alpha·acc (+ beta·C), + bias, `pre` ← y, then relu or gelu. Used
// by the kernels that finish C element by element (the c4 kernels reduce each dot product to a
// scalar) and by their scalar twins, so both round the same way.
import { geluF32 } from './geluf';

/**
 * C[0] ← act(alpha·acc + beta·C[0] + bias) (C not read if beta = 0); bias: f32 value, added only
 * when hasBias; pre: byte pointer receiving the value before act, or 0; act: 0 none, 1 relu, 2 gelu.
 */
@inline
export function storeScalarEpilogue(dst: usize, acc: f32, alpha: f32, beta: f32, hasBias: bool, bias: f32,
                                    act: i32, pre: usize): void {
  let y = alpha * acc;
  if (beta != 0) y += beta * load<f32>(dst);
  if (hasBias) y += bias;
  if (pre != 0) store<f32>(pre, y);
  if (act == 1) y = y < 0 ? <f32>0.0 : y;
  else if (act == 2) y = geluF32(y);
  store<f32>(dst, y);
}
