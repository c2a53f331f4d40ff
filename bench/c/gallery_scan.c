/*
 * Speed-of-light reference for the whole-gallery scan, for benchmarks only: one probe against N
 * templates held back to back in memory (each a code plane then a mask plane of 4 bands x 64
 * 64-bit words, 16,384 bits each), 31 rotations per template, the probe's 4 phase copies with
 * bands written twice (the layout of the WebAssembly kernel). Built with -O3 -march=native, so
 * the compiler may use AVX-512 popcount where the machine has it.
 * Usage: gallery_scan N REPEATS. Prints rotation-comparisons per second (best of the repeats).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { BANDS = 4, WORDS = 64, ROT = 15, SHIFTS = 2 * ROT + 1 };
static uint64_t probe[4][2][BANDS][2 * WORDS];

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* Best (lowest) fractional distance of the probe to one template over all rotations. */
static double best_distance(const uint64_t *g) {
  const uint64_t *gc0 = g, *gm0 = g + BANDS * WORDS;
  double best = 2;
  for (int s = -ROT; s <= ROT; s++) {
    int sc = ((s % (WORDS * 4)) + WORDS * 4) % (WORDS * 4);
    int p = sc & 3, q = sc >> 2;
    uint64_t x = 0, c = 0;
    for (int b = 0; b < BANDS; b++) {
      const uint64_t *pc = &probe[p][0][b][WORDS - q], *pm = &probe[p][1][b][WORDS - q];
      const uint64_t *gc = gc0 + b * WORDS, *gm = gm0 + b * WORDS;
      for (int w = 0; w < WORDS; w++) {
        uint64_t m = pm[w] & gm[w];
        c += (uint64_t)__builtin_popcountll(m);
        x += (uint64_t)__builtin_popcountll((pc[w] ^ gc[w]) & m);
      }
    }
    double d = c ? (double)x / (double)c : 1;
    if (d < best) best = d;
  }
  return best;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)atol(argv[1]) : 100000;
  int repeats = argc > 2 ? atoi(argv[2]) : 3;
  size_t per = 2 * BANDS * WORDS;
  uint64_t *gallery = malloc(n * per * sizeof(uint64_t));
  if (!gallery) return 1;
  uint64_t z = 88172645463325252ull;
  for (size_t i = 0; i < sizeof probe / 8; i++) { z ^= z << 13; z ^= z >> 7; z ^= z << 17; ((uint64_t *)probe)[i] = z; }
  for (size_t i = 0; i < n * per; i++) { z ^= z << 13; z ^= z >> 7; z ^= z << 17; gallery[i] = z | (i % per >= BANDS * WORDS ? z << 1 : 0); }
  volatile double sink = 0;
  double best = 1e30;
  for (int r = 0; r < repeats; r++) {
    double t0 = now(), m = 2;
    for (size_t t = 0; t < n; t++) {
      double d = best_distance(gallery + t * per);
      if (d < m) m = d;
    }
    double dt = now() - t0;
    sink += m;
    if (dt < best) best = dt;
  }
  printf("%.1f\n", (double)n * SHIFTS / best);
  free(gallery);
  return (int)(sink * 0);
}
