// The one piece of minillm's kernels Swift cannot reach: AVX512-BF16's `vdpbf16ps`, which
// multiplies pairs of bf16 values and adds both products to an fp32 accumulator. Everything
// around it (blocking, packing, rounding to bf16, threads) is Swift, in TensorKernels/BF16Gemm.swift.
#ifndef MINILLM_BF16_MICRO_KERNEL_H
#define MINILLM_BF16_MICRO_KERNEL_H

#include <stdint.h>

/// 1 when this CPU and OS run AVX512F and AVX512-BF16 instructions, else 0.
int minillm_bf16_supported(void);

/// 1 when this CPU and OS run AVX512F (32 vector registers of 512 bits), else 0: the fp32 tile
/// is chosen by it (TensorKernels/GemmMicroKernel.swift).
int minillm_avx512f_supported(void);

/// The 6x64 register tile in bf16: C[6][64] (+)= A·B over `pairs` pairs of k.
/// `a` is a packed panel [pairs][6] of 32-bit words, each (a[r][2p] | a[r][2p+1] << 16) in bf16;
/// `b` a packed panel [pairs][64] of words (b[2p][j] | b[2p+1][j] << 16). C rows are `ldc`
/// floats apart. `start`: 0 accumulators from zero, 1 from the 64 floats at `bias`, 2 from C.
/// Only call when minillm_bf16_supported() is 1.
void minillm_bf16_tile_6x64(long pairs, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                            int start, const float *bias);

/// Throughput probes for the benchmark: `iterations` rounds of independent accumulator chains of
/// one instruction each (vdpbf16ps: 24 chains, 64 flops; vfmadd231ps on 512-bit vectors: 24 chains,
/// 32 flops; on 256-bit vectors: 12 chains, 16 flops). The returned value only keeps the work
/// from being optimised away. Call the 512-bit probes only where their feature is supported.
float minillm_bf16_dot_probe(long iterations);
float minillm_fp32_fma_probe(long iterations);
float minillm_fp32_fma256_probe(long iterations);

#endif
