/*
 * Speed-of-light reference for the matching kernel, for benchmarks only: masked Hamming
 * distance of a 16,384-bit code + mask over 31 rotations, with the same packed layout as the
 * WebAssembly kernel (4 phase copies, bands written twice), scalar 64-bit popcount.
 * Prints microseconds per 31-rotation comparison.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { BANDS = 4, WORDS = 64, ROT = 15 };
static uint64_t probe[4][2][BANDS][2 * WORDS];
static uint64_t gallery[2][BANDS][WORDS];

static void counts(uint32_t *out) {
  for (int s = -ROT; s <= ROT; s++) {
    int sc = ((s % (WORDS * 4)) + WORDS * 4) % (WORDS * 4);
    int p = sc & 3, q = sc >> 2;
    uint64_t x = 0, c = 0;
    for (int b = 0; b < BANDS; b++) {
      const uint64_t *pc = &probe[p][0][b][WORDS - q], *pm = &probe[p][1][b][WORDS - q];
      const uint64_t *gc = gallery[0][b], *gm = gallery[1][b];
      for (int w = 0; w < WORDS; w++) {
        uint64_t m = pm[w] & gm[w];
        c += (uint64_t)__builtin_popcountll(m);
        x += (uint64_t)__builtin_popcountll((pc[w] ^ gc[w]) & m);
      }
    }
    out[2 * (s + ROT)] = (uint32_t)x;
    out[2 * (s + ROT) + 1] = (uint32_t)c;
  }
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  uint64_t z = 88172645463325252ull;
  for (size_t i = 0; i < sizeof probe / 8; i++) { z ^= z << 13; z ^= z >> 7; z ^= z << 17; ((uint64_t *)probe)[i] = z; }
  for (size_t i = 0; i < sizeof gallery / 8; i++) { z ^= z << 13; z ^= z >> 7; z ^= z << 17; ((uint64_t *)gallery)[i] = z; }
  uint32_t out[2 * (2 * ROT + 1)];
  volatile uint32_t sink = 0;
  for (int i = 0; i < n / 10; i++) { counts(out); sink += out[0]; }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < n; i++) { gallery[0][0][0] ^= (uint64_t)i; counts(out); sink += out[i % 62]; }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double us = ((t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3) / n;
  printf("%.4f\n", us);
  return (int)(sink & 0);
}
