/**
 * Constants of the GGUF file format (version 3, as llama.cpp writes it):
 * metadata value types and the storage size of each ggml tensor type.
 */

/** `GGUF` read as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747;

/** Versions this reader accepts (v1 used 32-bit counts and is long gone). */
export const GGUF_VERSIONS: readonly number[] = [2, 3];

/** Default alignment of the tensor data section when `general.alignment` is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value type codes. */
export const GgufType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** Byte size of each fixed-size metadata value type. */
export const GGUF_SCALAR_SIZE: Readonly<Record<number, number>> = {
  0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8,
};

/** A ggml tensor type: its name and how many bytes a block of `blockSize` elements takes. */
export interface GgmlTypeInfo {
  readonly name: string;
  readonly blockSize: number;
  readonly bytesPerBlock: number;
}

/** ggml tensor types by code (ggml.h `enum ggml_type`). Codes 4, 5 and 31–33 were removed upstream. */
export const GGML_TYPES: Readonly<Record<number, GgmlTypeInfo>> = {
  0: { name: 'F32', blockSize: 1, bytesPerBlock: 4 },
  1: { name: 'F16', blockSize: 1, bytesPerBlock: 2 },
  2: { name: 'Q4_0', blockSize: 32, bytesPerBlock: 18 },
  3: { name: 'Q4_1', blockSize: 32, bytesPerBlock: 20 },
  6: { name: 'Q5_0', blockSize: 32, bytesPerBlock: 22 },
  7: { name: 'Q5_1', blockSize: 32, bytesPerBlock: 24 },
  8: { name: 'Q8_0', blockSize: 32, bytesPerBlock: 34 },
  9: { name: 'Q8_1', blockSize: 32, bytesPerBlock: 36 },
  10: { name: 'Q2_K', blockSize: 256, bytesPerBlock: 84 },
  11: { name: 'Q3_K', blockSize: 256, bytesPerBlock: 110 },
  12: { name: 'Q4_K', blockSize: 256, bytesPerBlock: 144 },
  13: { name: 'Q5_K', blockSize: 256, bytesPerBlock: 176 },
  14: { name: 'Q6_K', blockSize: 256, bytesPerBlock: 210 },
  15: { name: 'Q8_K', blockSize: 256, bytesPerBlock: 292 },
  16: { name: 'IQ2_XXS', blockSize: 256, bytesPerBlock: 66 },
  17: { name: 'IQ2_XS', blockSize: 256, bytesPerBlock: 74 },
  18: { name: 'IQ3_XXS', blockSize: 256, bytesPerBlock: 98 },
  19: { name: 'IQ1_S', blockSize: 256, bytesPerBlock: 50 },
  20: { name: 'IQ4_NL', blockSize: 32, bytesPerBlock: 18 },
  21: { name: 'IQ3_S', blockSize: 256, bytesPerBlock: 110 },
  22: { name: 'IQ2_S', blockSize: 256, bytesPerBlock: 82 },
  23: { name: 'IQ4_XS', blockSize: 256, bytesPerBlock: 136 },
  24: { name: 'I8', blockSize: 1, bytesPerBlock: 1 },
  25: { name: 'I16', blockSize: 1, bytesPerBlock: 2 },
  26: { name: 'I32', blockSize: 1, bytesPerBlock: 4 },
  27: { name: 'I64', blockSize: 1, bytesPerBlock: 8 },
  28: { name: 'F64', blockSize: 1, bytesPerBlock: 8 },
  29: { name: 'IQ1_M', blockSize: 256, bytesPerBlock: 56 },
  30: { name: 'BF16', blockSize: 1, bytesPerBlock: 2 },
  34: { name: 'TQ1_0', blockSize: 256, bytesPerBlock: 54 },
  35: { name: 'TQ2_0', blockSize: 256, bytesPerBlock: 66 },
  39: { name: 'MXFP4', blockSize: 32, bytesPerBlock: 17 },
};

/** Names of llama.cpp's `general.file_type` values (`enum llama_ftype`). */
export const LLAMA_FILE_TYPES: Readonly<Record<number, string>> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1',
  10: 'Q2_K', 11: 'Q3_K_S', 12: 'Q3_K_M', 13: 'Q3_K_L', 14: 'Q4_K_S', 15: 'Q4_K_M',
  16: 'Q5_K_S', 17: 'Q5_K_M', 18: 'Q6_K', 19: 'IQ2_XXS', 20: 'IQ2_XS', 21: 'Q2_K_S',
  22: 'IQ3_XS', 23: 'IQ3_XXS', 24: 'IQ1_S', 25: 'IQ4_NL', 26: 'IQ3_S', 27: 'IQ3_M',
  28: 'IQ2_S', 29: 'IQ2_M', 30: 'IQ4_XS', 31: 'IQ1_M', 32: 'BF16', 36: 'TQ1_0', 37: 'TQ2_0', 38: 'MXFP4_MOE',
};

/** Token types of `tokenizer.ggml.token_type` (llama.cpp `llama_token_type`). */
export const TokenType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;
