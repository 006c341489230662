// Op codes shared with the host (ts/backend/wasm/opcodes.ts mirrors these numbers; a test checks it).
// Unary and binary codes are the indices of UNARY_OPS / BINARY_OPS in ts/backend/backend.ts.

export const U_NEG = 0, U_ABS = 1, U_EXP = 2, U_LOG = 3, U_LOG1P = 4, U_EXPM1 = 5, U_SQRT = 6,
  U_RSQRT = 7, U_SIN = 8, U_COS = 9, U_TANH = 10, U_SIGMOID = 11, U_RELU = 12, U_GELU = 13,
  U_SILU = 14, U_SIGN = 15, U_SQUARE = 16, U_RECIPROCAL = 17, U_FLOOR = 18, U_CEIL = 19, U_ROUND = 20;

export const B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3, B_POW = 4, B_MAX = 5, B_MIN = 6,
  B_EQ = 7, B_NE = 8, B_LT = 9, B_LE = 10, B_GT = 11, B_GE = 12;

export const R_SUM = 0, R_PROD = 1, R_MAX = 2, R_MIN = 3, R_ARGMAX = 4, R_ARGMIN = 5;

/** Dtype codes: indices of DTYPES in ts/dtype.ts. */
export const T_F64 = 0, T_F32 = 1, T_F16 = 2, T_BF16 = 3, T_I32 = 4;
