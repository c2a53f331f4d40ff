/*
 * The native whole-gallery scan (Node-API): the optional server kernel, compiled at install with
 * -O3 -march=native when a compiler is present (scripts/build-native.mjs) and loaded by
 * src/identity/gallery/scan-native.ts; the WebAssembly kernel (assembly/hamming.ts) is the
 * fall-back and the specification. It reads the gallery in place, from the layout's Uint16Array
 * (src/identity/gallery/layout.ts: per template `bands * cols` code cells then as many mask cells,
 * four 16-bit cells per 64-bit word), and writes, for each probe, template and shift, the
 * (xor, common) bit counts as two u32, as the WebAssembly kernel writes them, and for each probe
 * and template whether it was compared in full (the staged cascade: only pairs passing every
 * stage, exactly as assembly/hamming.ts stagePasses decides; see "The staged cascade" below).
 *
 * Loop structure: each probe's four phase copies (rolled by 0..3 cells, every band written twice)
 * make every shift one contiguous run of probe words. Shifts are counted kGroup at a time in one
 * pass over a band, so each gallery word is loaded once per group rather than once per shift; the
 * inner loop is plain C++ that the compiler vectorises (AVX-512 VPOPCNTQ where the CPU has it).
 * Several probes share one pass over memory: each template is read once, for all of them.
 *
 * No global mutable state: the module is context-aware and loads in worker threads.
 */
#include <napi.h>

#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

/** Bumped when the exported function's contract changes; scan-native.ts refuses another version. */
constexpr uint32_t kApiVersion = 3;

/** Cascade ceilings are distances in millionths (as the WebAssembly kernel takes them). */
constexpr int64_t kPpm = 1000000;

/**
 * Shifts counted per pass over a band. Measured on Zen 4 (31 shifts): 8 and 12 are equally fast
 * with AVX-512 and 8 is the best with scalar popcount; at 16 the accumulators no longer fit in
 * registers and GCC 12 stops vectorising (3x slower).
 */
constexpr int kGroup = 8;

/** The popcount the compiler had for the inner loop (reported to JavaScript, for benchmarks). */
#if defined(__AVX512VPOPCNTDQ__)
constexpr const char* kIsa = "avx512-vpopcntdq";
#else
constexpr const char* kIsa = "scalar-popcount";
#endif

/** The sizes of one scan, in 64-bit words unless named otherwise. */
struct Geometry {
  size_t bands;      // bands of 4 code rows
  size_t cols;       // cells per band (a multiple of 4)
  size_t words;      // words per band: cols / 4
  size_t rotations;  // largest shift each way
  size_t shifts;     // 2 * rotations + 1

  /** Words per gallery template: the code plane, then the mask plane. */
  size_t templateWords() const { return 2 * bands * words; }
  /** Offset of the mask plane within one phase copy (every band doubled). */
  size_t phaseMask() const { return 2 * bands * words; }
  /** Words per phase copy: two planes of doubled bands. */
  size_t phaseWords() const { return 4 * bands * words; }
  /** Words of one prepared probe: four phase copies. */
  size_t probeWords() const { return 4 * phaseWords(); }
};

/**
 * Writes the probe (`cells`: code cells then mask cells, as templateCells packs them) rolled by
 * 0..3 cells, every band written twice, as assembly/hamming.ts preparePhases lays it out. Rolling
 * by p cells is a funnel shift of 64-bit words. `cells` may be unaligned: it is copied first.
 */
void preparePhases(const uint16_t* cells, const Geometry& g, uint64_t* out) {
  const size_t plane = g.bands * g.words;
  std::vector<uint64_t> in(2 * plane);
  std::memcpy(in.data(), cells, in.size() * sizeof(uint64_t));
  for (unsigned p = 0; p < 4; p++) {
    const unsigned sh = 16 * p;
    for (size_t pl = 0; pl < 2; pl++) {
      for (size_t b = 0; b < g.bands; b++) {
        const uint64_t* row = in.data() + pl * plane + b * g.words;
        uint64_t* dst = out + p * g.phaseWords() + pl * g.phaseMask() + b * 2 * g.words;
        uint64_t prev = row[g.words - 1];
        for (size_t w = 0; w < g.words; w++) {
          const uint64_t v = sh == 0 ? row[w] : (row[w] << sh) | (prev >> (64 - sh));
          dst[w] = dst[g.words + w] = v;
          prev = row[w];
        }
      }
    }
  }
}

/**
 * For each shift s in [-rotations, rotations], where its probe words start in the phase copies
 * (band 0, code plane): with s = 4q + p modulo cols, word w of the probe rolled by s cells is word
 * (words - q + w) of phase p's doubled band. Any rotation count works: shifts wrap modulo cols.
 */
std::vector<size_t> shiftStarts(const Geometry& g) {
  std::vector<size_t> at(g.shifts);
  const int64_t cols = static_cast<int64_t>(g.cols);
  for (size_t i = 0; i < g.shifts; i++) {
    const int64_t s = static_cast<int64_t>(i) - static_cast<int64_t>(g.rotations);
    const size_t sc = static_cast<size_t>(((s % cols) + cols) % cols);
    at[i] = (sc & 3) * g.phaseWords() + g.words - (sc >> 2);
  }
  return at;
}

/**
 * Adds to x[k] and c[k] the disagreeing and common bits of G shifts over one band: probe[k] is
 * shift k's code words (its mask words `mask` further on), `code` and `tmask` the template's band.
 */
template <int G>
inline void bandCounts(const uint64_t* const* probe, size_t mask, const uint64_t* code, const uint64_t* tmask, size_t words,
                       uint64_t* x, uint64_t* c) {
  uint64_t xa[G] = {};
  uint64_t ca[G] = {};
  for (size_t w = 0; w < words; w++) {
    const uint64_t gc = code[w];
    const uint64_t gm = tmask[w];
    for (int k = 0; k < G; k++) {
      const uint64_t m = probe[k][mask + w] & gm;
      ca[k] += static_cast<uint64_t>(__builtin_popcountll(m));
      xa[k] += static_cast<uint64_t>(__builtin_popcountll((probe[k][w] ^ gc) & m));
    }
  }
  for (int k = 0; k < G; k++) {
    x[k] += xa[k];
    c[k] += ca[k];
  }
}

/** Counts of `n` <= G shifts (their starts at `starts`) over bands [from, to) of one template, added to x, c. */
template <int G>
void groupCounts(int n, const uint64_t* phases, const size_t* starts, const uint64_t* tmpl, const Geometry& g, size_t from,
                 size_t to, uint64_t* x, uint64_t* c) {
  if constexpr (G > 1) {
    if (n < G) return groupCounts<G - 1>(n, phases, starts, tmpl, g, from, to, x, c);
  }
  const uint64_t* probe[G];
  for (size_t b = from; b < to; b++) {
    for (int k = 0; k < G; k++) probe[k] = phases + starts[k] + b * 2 * g.words;
    bandCounts<G>(probe, g.phaseMask(), tmpl + b * g.words, tmpl + (g.bands + b) * g.words, g.words, x, c);
  }
}

/** Every shift's counts over bands [from, to) of one template, added to x, c. */
void shiftCounts(const uint64_t* phases, const std::vector<size_t>& starts, const uint64_t* tmpl, const Geometry& g, size_t from,
                 size_t to, uint64_t* x, uint64_t* c) {
  for (size_t i = 0; i < g.shifts; i += kGroup) {
    const int n = static_cast<int>(std::min<size_t>(kGroup, g.shifts - i));
    groupCounts<kGroup>(n, phases, starts.data() + i, tmpl, g, from, to, x + i, c + i);
  }
}

/**
 * Asks for bands [0, bands) of a template's code and mask planes ahead of use, into L2 (L1 holds
 * the probe): templates span pages, which the hardware prefetcher does not cross.
 */
inline void prefetchBands(const uint64_t* tmpl, const Geometry& g, size_t bands) {
  const char* code = reinterpret_cast<const char*>(tmpl);
  const char* mask = reinterpret_cast<const char*>(tmpl + g.bands * g.words);
  for (size_t at = 0; at < bands * g.words * sizeof(uint64_t); at += 64) {
    __builtin_prefetch(code + at, 0, 1);
    __builtin_prefetch(mask + at, 0, 1);
  }
}

// ---- The staged cascade (assembly/hamming.ts stagePasses is the specification).
//
// A stage passes a (probe, template) pair when some shift s in [-rotations, rotations] that is a
// multiple of shiftStep brings the counts over the first `bands` bands, every wordStep-th word of
// each band (words 0, wordStep, 2 wordStep, ... < words), to at least one common bit and
// xor * 10^6 <= ceiling * common. Shifts equal modulo cols give equal counts, so each stage counts
// every distinct shift residue once ("lanes").
//
// Loop structure: the lanes sit side by side. For each probe and stage, a table holds, for every
// word the stage reads, the probe's code word at every lane then its mask word at every lane
// (gathered once per call from the phase copies); a template word is then loaded once, broadcast,
// and compared with up to 32 shifts in a few vector instructions, the per-shift counts never
// leaving their vector lanes (no horizontal sums). Lanes go kVectorLanes at a time, up to
// kMaxVectors vectors per pass over the stage's words; the pair fails the stage when no block passes.

/** One cascade stage, as scan() takes it (four int32: bands, wordStep, shiftStep, ceiling in millionths). */
struct Stage {
  size_t bands;
  size_t wordStep;
  size_t shiftStep;
  uint64_t ceiling;
};

/** Shifts counted side by side per vector (64-bit lanes of 512 bits). */
constexpr size_t kVectorLanes = 8;
/** Most vectors per pass over a stage's words: 32 shifts, 8 accumulators that stay in registers. */
constexpr int kMaxVectors = 4;
/**
 * Most table words per call (all probes and stages): 32 MB. Tables grow with lanes x words, so only
 * shapes with thousands of columns and rotations need more; those count each shift directly.
 */
constexpr size_t kTableBudget = size_t{1} << 22;

/** A run of up to kMaxVectors * kVectorLanes lanes of one stage, counted in one pass. */
struct Block {
  int vectors;    // lanes / kVectorLanes, rounded up (padding lanes have empty masks: no common bits)
  size_t offset;  // words from the start of the probe's stage table
};

/** What a stage reads, and where its lanes and tables are. */
struct StagePlan {
  Stage stage;
  size_t stepWords;             // words read per band: ceil(words / wordStep)
  std::vector<size_t> lanes;    // distinct shifts modulo cols (cells rolled), in the order of s
  std::vector<Block> blocks;    // lanes [i * 32, i * 32 + 32) of the stage
  size_t offset = 0;            // words from the start of one probe's tables
  size_t tableWords = 0;        // words of one probe's table of this stage
};

/** Where probe word w (band 0, code plane) of a probe rolled by sc cells is, in its phase copies. */
inline size_t laneStart(size_t sc, const Geometry& g) { return (sc & 3) * g.phaseWords() + g.words - (sc >> 2); }

/** The stages' plans; `perProbe` gets the table words each probe needs. */
std::vector<StagePlan> planStages(const std::vector<Stage>& stages, const Geometry& g, size_t& perProbe) {
  std::vector<StagePlan> plans;
  perProbe = 0;
  const int64_t cols = static_cast<int64_t>(g.cols);
  const int64_t rot = static_cast<int64_t>(g.rotations);
  for (const Stage& st : stages) {
    StagePlan plan{st, (g.words + st.wordStep - 1) / st.wordStep, {}, {}, perProbe, 0};
    std::vector<bool> seen(g.cols, false);
    const int64_t step = static_cast<int64_t>(st.shiftStep);
    // Multiples of shiftStep in [-rot, rot], from the lowest up (as stagePasses goes).
    for (int64_t s = -(rot / step) * step; s <= rot; s += step) {
      const size_t sc = static_cast<size_t>(((s % cols) + cols) % cols);
      if (!seen[sc]) {
        seen[sc] = true;
        plan.lanes.push_back(sc);
      }
    }
    constexpr size_t blockLanes = kMaxVectors * kVectorLanes;
    for (size_t i = 0; i < plan.lanes.size(); i += blockLanes) {
      const size_t n = std::min(blockLanes, plan.lanes.size() - i);
      const int vectors = static_cast<int>((n + kVectorLanes - 1) / kVectorLanes);
      plan.blocks.push_back({vectors, plan.tableWords});
      plan.tableWords += st.bands * plan.stepWords * 2 * kVectorLanes * static_cast<size_t>(vectors);
    }
    perProbe += plan.tableWords;
    plans.push_back(std::move(plan));
  }
  return plans;
}

/**
 * Fills one probe's table of one stage from its phase copies: for block i, band b and read word
 * j (template word j * wordStep), the code words of the block's lanes then their mask words.
 */
void fillTable(const StagePlan& plan, const uint64_t* phases, const Geometry& g, uint64_t* table) {
  constexpr size_t blockLanes = kMaxVectors * kVectorLanes;
  for (size_t i = 0; i < plan.blocks.size(); i++) {
    const Block& blk = plan.blocks[i];
    const size_t width = kVectorLanes * static_cast<size_t>(blk.vectors);
    const size_t first = i * blockLanes;
    const size_t n = std::min(blockLanes, plan.lanes.size() - first);
    uint64_t* out = table + blk.offset;
    for (size_t b = 0; b < plan.stage.bands; b++) {
      for (size_t j = 0; j < plan.stepWords; j++, out += 2 * width) {
        const size_t w = b * 2 * g.words + j * plan.stage.wordStep;
        for (size_t k = 0; k < width; k++) {
          const bool lane = k < n;
          const uint64_t* at = lane ? phases + laneStart(plan.lanes[first + k], g) + w : nullptr;
          out[k] = lane ? at[0] : 0;
          out[width + k] = lane ? at[g.phaseMask()] : 0;
        }
      }
    }
  }
}

/**
 * Whether one block of V * 8 lanes passes: the table's words (`stepWords` per band over `bands`
 * bands) against the template's every step-th word; each lane's counts fit 32 bits (bands * cols
 * <= 2^26 cells of 16 bits). With AVX-512 VPOPCNTQ one vector holds 8 lanes' counts (written with
 * intrinsics: left to itself, GCC 12 vectorises the word loop instead, with permutes and spills).
 */
#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
template <int V>
bool blockPasses(const uint64_t* __restrict table, const uint64_t* __restrict tmpl, size_t maskOffset, size_t words, size_t bands,
                 size_t step, size_t stepWords, uint64_t ceiling) {
  constexpr size_t L = V * kVectorLanes;
  __m512i x[V];
  __m512i c[V];
  for (int v = 0; v < V; v++) x[v] = c[v] = _mm512_setzero_si512();
  for (size_t b = 0; b < bands; b++) {
    const uint64_t* code = tmpl + b * words;
    const uint64_t* mask = code + maskOffset;
    for (size_t j = 0; j < stepWords; j++, table += 2 * L) {
      const __m512i gc = _mm512_set1_epi64(static_cast<long long>(code[j * step]));
      const __m512i gm = _mm512_set1_epi64(static_cast<long long>(mask[j * step]));
      for (int v = 0; v < V; v++) {
        const __m512i m = _mm512_and_si512(_mm512_load_si512(table + L + v * kVectorLanes), gm);
        const __m512i d = _mm512_xor_si512(_mm512_load_si512(table + v * kVectorLanes), gc);
        c[v] = _mm512_add_epi64(c[v], _mm512_popcnt_epi64(m));
        x[v] = _mm512_add_epi64(x[v], _mm512_popcnt_epi64(_mm512_and_si512(d, m)));
      }
    }
  }
  // xor * 10^6 <= ceiling * common over common > 0: 32 x 32 -> 64-bit products, exact.
  const __m512i ppm = _mm512_set1_epi64(kPpm);
  const __m512i ceil = _mm512_set1_epi64(static_cast<long long>(ceiling));
  __mmask8 pass = 0;
  for (int v = 0; v < V; v++) {
    const __mmask8 some = _mm512_test_epi64_mask(c[v], c[v]);
    pass |= _mm512_mask_cmple_epu64_mask(some, _mm512_mul_epu32(x[v], ppm), _mm512_mul_epu32(c[v], ceil));
  }
  return pass != 0;
}
#else
template <int V>
bool blockPasses(const uint64_t* __restrict table, const uint64_t* __restrict tmpl, size_t maskOffset, size_t words, size_t bands,
                 size_t step, size_t stepWords, uint64_t ceiling) {
  constexpr size_t L = V * kVectorLanes;
  uint64_t x[L] = {};
  uint64_t c[L] = {};
  for (size_t b = 0; b < bands; b++) {
    const uint64_t* code = tmpl + b * words;
    const uint64_t* mask = code + maskOffset;
    for (size_t j = 0; j < stepWords; j++, table += 2 * L) {
      const uint64_t gc = code[j * step];
      const uint64_t gm = mask[j * step];
      for (size_t k = 0; k < L; k++) {
        const uint64_t m = table[L + k] & gm;
        c[k] += static_cast<uint64_t>(__builtin_popcountll(m));
        x[k] += static_cast<uint64_t>(__builtin_popcountll((table[k] ^ gc) & m));
      }
    }
  }
  bool pass = false;
  for (size_t k = 0; k < L; k++) pass |= (c[k] > 0) & (x[k] * static_cast<uint64_t>(kPpm) <= ceiling * c[k]);
  return pass;
}
#endif

/** Whether a template passes a stage, from the probe's table of that stage. */
bool stagePasses(const StagePlan& plan, const uint64_t* table, const uint64_t* tmpl, const Geometry& g) {
  const Stage& st = plan.stage;
  const size_t maskOffset = g.bands * g.words;
  for (const Block& blk : plan.blocks) {
    const uint64_t* t = table + blk.offset;
    bool pass = false;
    switch (blk.vectors) {
      case 1: pass = blockPasses<1>(t, tmpl, maskOffset, g.words, st.bands, st.wordStep, plan.stepWords, st.ceiling); break;
      case 2: pass = blockPasses<2>(t, tmpl, maskOffset, g.words, st.bands, st.wordStep, plan.stepWords, st.ceiling); break;
      case 3: pass = blockPasses<3>(t, tmpl, maskOffset, g.words, st.bands, st.wordStep, plan.stepWords, st.ceiling); break;
      default: pass = blockPasses<4>(t, tmpl, maskOffset, g.words, st.bands, st.wordStep, plan.stepWords, st.ceiling); break;
    }
    if (pass) return true;
  }
  return false;
}

/** The same without a table (tables over kTableBudget): each lane counted alone from the phase copies. */
bool stagePassesDirect(const StagePlan& plan, const uint64_t* phases, const uint64_t* tmpl, const Geometry& g) {
  const Stage& st = plan.stage;
  for (const size_t sc : plan.lanes) {
    const uint64_t* probe = phases + laneStart(sc, g);
    uint64_t x = 0;
    uint64_t c = 0;
    for (size_t b = 0; b < st.bands; b++) {
      const uint64_t* pc = probe + b * 2 * g.words;
      const uint64_t* gc = tmpl + b * g.words;
      const uint64_t* gm = tmpl + (g.bands + b) * g.words;
      for (size_t w = 0; w < g.words; w += st.wordStep) {
        const uint64_t m = pc[g.phaseMask() + w] & gm[w];
        c += static_cast<uint64_t>(__builtin_popcountll(m));
        x += static_cast<uint64_t>(__builtin_popcountll((pc[w] ^ gc[w]) & m));
      }
    }
    if (c > 0 && x * static_cast<uint64_t>(kPpm) <= st.ceiling * c) return true;
  }
  return false;
}

/**
 * Templates scanned together by each probe with a cascade: one probe's stage tables stay in L1
 * over the tile while the others' wait in L2 (8 probes' first-stage tables for the tuned cascade
 * are 64 kB). Also how far ahead a template's first bands are asked for.
 */
constexpr size_t kCascadeTile = 8;

/**
 * Templates [0, count) at `gallery` against `probes` prepared probes; probe p's counts for template
 * t go to out[((p * count + t) * shifts + s) * 2 + {0: xor, 1: common}], and flags[p * count + t]
 * says whether it was compared in full. Without stages every pair is compared in full; with
 * stages a pair is compared in full only when it passes every one in order (else its counts are
 * left as they were, flag 0). Returns the pairs compared in full.
 */
uint64_t scanTemplates(const uint64_t* gallery, size_t count, const std::vector<uint64_t>& prepared, size_t probes,
                       const Geometry& g, const std::vector<Stage>& stages, uint32_t* out, uint8_t* flags) {
  const std::vector<size_t> starts = shiftStarts(g);
  std::vector<uint64_t> x(g.shifts), c(g.shifts);
  size_t perProbe = 0;
  const std::vector<StagePlan> plans = planStages(stages, g, perProbe);
  // The tables, 64-byte aligned (whole vectors); none past the budget (each lane counted alone then).
  const bool tabled = !plans.empty() && perProbe <= kTableBudget / probes;
  std::vector<uint64_t> storage(tabled ? probes * perProbe + kVectorLanes : 0);
  uint64_t* tables = storage.data();
  if (tabled) {
    while (reinterpret_cast<uintptr_t>(tables) % 64 != 0) tables++;
    for (size_t p = 0; p < probes; p++) {
      for (const StagePlan& plan : plans) fillTable(plan, prepared.data() + p * g.probeWords(), g, tables + p * perProbe + plan.offset);
    }
  }
  // Without a cascade, one template at a time, all of the next one asked for; with one, tiles of
  // templates, the first stage's bands asked for a tile ahead (the next stages run for few templates).
  const size_t tile = plans.empty() ? 1 : kCascadeTile;
  const size_t prefetched = plans.empty() ? g.bands : plans.front().stage.bands;
  for (size_t t = 1; t < std::min(count, tile); t++) prefetchBands(gallery + t * g.templateWords(), g, prefetched);
  uint64_t full = 0;
  for (size_t first = 0; first < count; first += tile) {
    const size_t end = std::min(count, first + tile);
    for (size_t p = 0; p < probes; p++) {
      const uint64_t* phases = prepared.data() + p * g.probeWords();
      for (size_t t = first; t < end; t++) {
        const uint64_t* tmpl = gallery + t * g.templateWords();
        if (p == 0 && t + tile < count) prefetchBands(tmpl + tile * g.templateWords(), g, prefetched);
        bool inFull = true;
        for (const StagePlan& plan : plans) {
          inFull = tabled ? stagePasses(plan, tables + p * perProbe + plan.offset, tmpl, g) : stagePassesDirect(plan, phases, tmpl, g);
          if (!inFull) break;
        }
        flags[p * count + t] = inFull;
        if (!inFull) continue;
        full++;
        std::fill(x.begin(), x.end(), 0);
        std::fill(c.begin(), c.end(), 0);
        shiftCounts(phases, starts, tmpl, g, 0, g.bands, x.data(), c.data());
        uint32_t* o = out + (p * count + t) * g.shifts * 2;
        for (size_t s = 0; s < g.shifts; s++) {
          o[2 * s] = static_cast<uint32_t>(x[s]);
          o[2 * s + 1] = static_cast<uint32_t>(c[s]);
        }
      }
    }
  }
  return full;
}

// ---- Argument checking: bad input throws a TypeError or RangeError, never reaches the kernel.

/** Argument i as an integer in [lo, hi]. */
int64_t integerArg(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t lo, int64_t hi) {
  const Napi::Env env = info.Env();
  if (!info[i].IsNumber()) throw Napi::TypeError::New(env, std::string(name) + " must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || v != std::floor(v)) throw Napi::TypeError::New(env, std::string(name) + " must be an integer");
  if (v < static_cast<double>(lo) || v > static_cast<double>(hi)) {
    throw Napi::RangeError::New(env, std::string(name) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                                         std::to_string(static_cast<int64_t>(v)));
  }
  return static_cast<int64_t>(v);
}

/** Argument i as a typed array of element type T, whose JavaScript type is `type` (`kind` names it). */
template <typename T>
Napi::TypedArrayOf<T> typedArg(const Napi::CallbackInfo& info, size_t i, const char* name, napi_typedarray_type type, const char* kind) {
  const bool ok = info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == type;
  if (!ok) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a " + kind);
  return info[i].As<Napi::TypedArrayOf<T>>();
}

/** The cascade stages of argument i (Int32Array, four int32 per stage), each checked against the shape. */
std::vector<Stage> stagesArg(const Napi::CallbackInfo& info, size_t i, size_t bands) {
  const Napi::Env env = info.Env();
  const auto arg = typedArg<int32_t>(info, i, "stages", napi_int32_array, "Int32Array");
  if (arg.ElementLength() % 4 != 0) throw Napi::RangeError::New(env, "stages must hold four int32 per stage (bands, wordStep, shiftStep, ceiling in millionths)");
  std::vector<Stage> stages;
  for (size_t k = 0; k < arg.ElementLength(); k += 4) {
    const int64_t used = arg[k];
    const int64_t wordStep = arg[k + 1];
    const int64_t shiftStep = arg[k + 2];
    const int64_t ceiling = arg[k + 3];
    const std::string at = "stage " + std::to_string(k / 4) + ": ";
    const auto oneTwoFour = [](int64_t v) { return v == 1 || v == 2 || v == 4; };
    if (used < 1 || used > static_cast<int64_t>(bands)) throw Napi::RangeError::New(env, at + "bands must be in [1, " + std::to_string(bands) + "], got " + std::to_string(used));
    if (!oneTwoFour(wordStep)) throw Napi::RangeError::New(env, at + "wordStep must be 1, 2 or 4, got " + std::to_string(wordStep));
    if (!oneTwoFour(shiftStep)) throw Napi::RangeError::New(env, at + "shiftStep must be 1, 2 or 4, got " + std::to_string(shiftStep));
    if (ceiling < 0 || ceiling > kPpm) throw Napi::RangeError::New(env, at + "ceiling must be in [0, 1000000] millionths, got " + std::to_string(ceiling));
    stages.push_back({static_cast<size_t>(used), static_cast<size_t>(wordStep), static_cast<size_t>(shiftStep), static_cast<uint64_t>(ceiling)});
  }
  return stages;
}

/**
 * scan(gallery, first, count, bands, cols, probes, rotations, out, flags, stages): templates
 * [first, first + count) of `gallery` (Uint16Array, read in place) against the probes packed back
 * to back in `probes` (Uint16Array, each `2 * bands * cols` cells); counts into `out` (Uint32Array)
 * and compared-in-full flags into `flags` (Uint8Array) as scanTemplates lays them out.
 * stages: the cascade (Int32Array, four int32 per stage: bands, wordStep 1|2|4, shiftStep 1|2|4,
 * ceiling in millionths 0..10^6), empty for none. Returns the number of (probe, template) pairs
 * compared in full.
 */
Napi::Value Scan(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() != 10) {
    throw Napi::TypeError::New(env, "scan takes 10 arguments (gallery, first, count, bands, cols, probes, rotations, out, flags, stages)");
  }
  const auto gallery = typedArg<uint16_t>(info, 0, "gallery", napi_uint16_array, "Uint16Array");
  const auto probesArg = typedArg<uint16_t>(info, 5, "probes", napi_uint16_array, "Uint16Array");
  auto out = typedArg<uint32_t>(info, 7, "out", napi_uint32_array, "Uint32Array");
  auto flags = typedArg<uint8_t>(info, 8, "flags", napi_uint8_array, "Uint8Array");
  constexpr int64_t kMaxIndex = int64_t{1} << 53;
  const int64_t first = integerArg(info, 1, "first", 0, kMaxIndex);
  const int64_t count = integerArg(info, 2, "count", 0, kMaxIndex);
  Geometry g{};
  g.bands = static_cast<size_t>(integerArg(info, 3, "bands", 1, 1 << 16));
  g.cols = static_cast<size_t>(integerArg(info, 4, "cols", 4, 1 << 20));
  g.rotations = static_cast<size_t>(integerArg(info, 6, "rotations", 0, 1 << 20));
  const std::vector<Stage> stages = stagesArg(info, 9, g.bands);
  if (g.cols % 4 != 0) throw Napi::RangeError::New(env, "cols must be a multiple of 4");
  // Counts are u32: a template's bits (16 per cell) must fit.
  if (g.bands * g.cols > (size_t{1} << 26)) throw Napi::RangeError::New(env, "bands * cols must be at most 2^26");
  g.words = g.cols / 4;
  g.shifts = 2 * g.rotations + 1;

  const size_t cells = 4 * g.templateWords();  // 16-bit cells per template
  const size_t galleryTemplates = gallery.ElementLength() / cells;
  if (static_cast<size_t>(first) > galleryTemplates || static_cast<size_t>(count) > galleryTemplates - static_cast<size_t>(first)) {
    throw Napi::RangeError::New(env, "templates [first, first + count) exceed the gallery (" + std::to_string(galleryTemplates) + " templates of " +
                                         std::to_string(cells) + " cells)");
  }
  if (probesArg.ElementLength() == 0 || probesArg.ElementLength() % cells != 0) {
    throw Napi::RangeError::New(env, "probes must hold one or more probes of 2 * bands * cols = " + std::to_string(cells) + " cells each");
  }
  const size_t probes = probesArg.ElementLength() / cells;
  if (count > 0 && static_cast<size_t>(count) > out.ElementLength() / (2 * g.shifts) / probes) {
    throw Napi::RangeError::New(env, "out must hold 2 * (2 * rotations + 1) * count u32 per probe");
  }
  if (count > 0 && static_cast<size_t>(count) > flags.ElementLength() / probes) throw Napi::RangeError::New(env, "flags must hold count bytes per probe");
  const uint16_t* base = gallery.Data() + static_cast<size_t>(first) * cells;
  if (reinterpret_cast<uintptr_t>(base) % alignof(uint64_t) != 0) throw Napi::RangeError::New(env, "the gallery must start on an 8-byte boundary");
  if (count == 0) return Napi::Number::New(env, 0);

  std::vector<uint64_t> prepared(probes * g.probeWords());
  for (size_t p = 0; p < probes; p++) preparePhases(probesArg.Data() + p * cells, g, prepared.data() + p * g.probeWords());
  const uint64_t full =
      scanTemplates(reinterpret_cast<const uint64_t*>(base), static_cast<size_t>(count), prepared, probes, g, stages, out.Data(), flags.Data());
  return Napi::Number::New(env, static_cast<double>(full));
}

/**
 * A CPU feature this build uses that the running CPU lacks, or null. Built with -march=native, the
 * addon could be copied to an older machine, where it would die on an illegal instruction.
 */
const char* missingCpuFeature() {
#if defined(__GNUC__)
#if defined(__AVX512F__)
  if (!__builtin_cpu_supports("avx512f")) return "avx512f";
#endif
#if defined(__AVX512VPOPCNTDQ__)
  if (!__builtin_cpu_supports("avx512vpopcntdq")) return "avx512vpopcntdq";
#endif
#if defined(__AVX2__)
  if (!__builtin_cpu_supports("avx2")) return "avx2";
#endif
#if defined(__POPCNT__)
  if (!__builtin_cpu_supports("popcnt")) return "popcnt";
#endif
#endif
  return nullptr;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (const char* missing = missingCpuFeature()) {
    throw Napi::Error::New(env, std::string("gallery_scan was compiled for a CPU with ") + missing + ", which this one lacks: rebuild it here (npm run build:native)");
  }
  exports.Set("scan", Napi::Function::New(env, Scan, "scan"));
  exports.Set("apiVersion", Napi::Number::New(env, kApiVersion));
  exports.Set("isa", Napi::String::New(env, kIsa));
  return exports;
}

}  // namespace

NODE_API_MODULE(gallery_scan, Init)
