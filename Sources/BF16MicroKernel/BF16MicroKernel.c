#include "BF16MicroKernel.h"

#if defined(__x86_64__)
#include <immintrin.h>

// Only these functions are compiled for AVX512-BF16, so the library loads on any x86-64 CPU.
#define BF16_TARGET __attribute__((target("avx512f,avx512bf16")))

int minillm_bf16_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16");
}

int minillm_avx512f_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

BF16_TARGET void minillm_bf16_tile_6x64(long pairs, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                                        int start, const float *bias) {
    __m512 acc[6][4];
    for (int r = 0; r < 6; r++) {
        for (int j = 0; j < 4; j++) {
            acc[r][j] = start == 0 ? _mm512_setzero_ps()
                      : start == 1 ? _mm512_loadu_ps(bias + 16 * j)
                                   : _mm512_loadu_ps(c + r * ldc + 16 * j);
        }
    }
    for (long p = 0; p < pairs; p++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(b);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + 16);
        __m512bh b2 = (__m512bh)_mm512_loadu_si512(b + 32);
        __m512bh b3 = (__m512bh)_mm512_loadu_si512(b + 48);
        for (int r = 0; r < 6; r++) {
            __m512bh ar = (__m512bh)_mm512_set1_epi32((int)a[r]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], ar, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], ar, b1);
            acc[r][2] = _mm512_dpbf16_ps(acc[r][2], ar, b2);
            acc[r][3] = _mm512_dpbf16_ps(acc[r][3], ar, b3);
        }
        a += 6;
        b += 64;
    }
    for (int r = 0; r < 6; r++) {
        for (int j = 0; j < 4; j++) _mm512_storeu_ps(c + r * ldc + 16 * j, acc[r][j]);
    }
}

BF16_TARGET float minillm_bf16_dot_probe(long iterations) {
    __m512 acc[24];
    for (int i = 0; i < 24; i++) acc[i] = _mm512_set1_ps((float)i);
    // Operands from volatiles, so that the compiler cannot fold or merge the chains.
    volatile int one = 0x3F803F80;   // the bf16 pair (1.0, 1.0): normal values, no denormal assists
    __m512bh x = (__m512bh)_mm512_set1_epi32(one), y = (__m512bh)_mm512_set1_epi32(one);
    for (long n = 0; n < iterations; n++) {
        for (int i = 0; i < 24; i++) acc[i] = _mm512_dpbf16_ps(acc[i], x, y);
    }
    __m512 sum = acc[0];
    for (int i = 1; i < 24; i++) sum = _mm512_add_ps(sum, acc[i]);
    return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx512f,fma"))) float minillm_fp32_fma_probe(long iterations) {
    __m512 acc[24];
    for (int i = 0; i < 24; i++) acc[i] = _mm512_set1_ps((float)i);
    volatile float scale = 1.0000001f, step = 1e-30f;   // not 1: an FMA by 1 would become an add
    __m512 x = _mm512_set1_ps(scale), y = _mm512_set1_ps(step);
    for (long n = 0; n < iterations; n++) {
        for (int i = 0; i < 24; i++) acc[i] = _mm512_fmadd_ps(x, y, acc[i]);
    }
    __m512 sum = acc[0];
    for (int i = 1; i < 24; i++) sum = _mm512_add_ps(sum, acc[i]);
    return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx2,fma"))) float minillm_fp32_fma256_probe(long iterations) {
    __m256 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i);
    volatile float scale = 1.0000001f, step = 1e-30f;
    __m256 x = _mm256_set1_ps(scale), y = _mm256_set1_ps(step);
    for (long n = 0; n < iterations; n++) {
        for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(x, y, acc[i]);
    }
    __m256 sum = acc[0];
    for (int i = 1; i < 12; i++) sum = _mm256_add_ps(sum, acc[i]);
    float lanes[8];
    _mm256_storeu_ps(lanes, sum);
    return lanes[0] + lanes[7];
}

#else

int minillm_bf16_supported(void) { return 0; }
int minillm_avx512f_supported(void) { return 0; }
void minillm_bf16_tile_6x64(long pairs, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                            int start, const float *bias) {
    (void)pairs; (void)a; (void)b; (void)c; (void)ldc; (void)start; (void)bias;
    __builtin_trap();   // callers check minillm_bf16_supported() first
}
float minillm_bf16_dot_probe(long iterations) { (void)iterations; return 0; }
float minillm_fp32_fma_probe(long iterations) { (void)iterations; return 0; }
float minillm_fp32_fma256_probe(long iterations) { (void)iterations; return 0; }

#endif
