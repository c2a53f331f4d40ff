/*
 * The native whole-gallery scan (Node-API): the optional server kernel, compiled at install with
 * -O3 -march=native when a compiler is present (scripts/build-native.mjs) and loaded by
 * src/identity/gallery/scan-native.ts; the WebAssembly kernel (assembly/hamming.ts) is the
 * fall-back and the specification. It reads the gallery in place, from the layout's Uint16Array
 * (src/identity/gallery/layout.ts: per template `bands * cols` code cells then as many mask cells,
 * four 16-bit cells per 64-bit word), and writes, for each probe, template and shift, the
 * (xor, common) bit counts as two u32, as the WebAssembly kernel writes them, and for each probe
 * and template whether it was compared in full (the cascade: first band first, then the rest).
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

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

/** Bumped when the exported function's contract changes; scan-native.ts refuses another version. */
constexpr uint32_t kApiVersion = 2;

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

/** The cascade's test on the first band: some shift with common bits and xor / common <= ceiling / 10^6. */
bool passes(const std::vector<uint64_t>& x, const std::vector<uint64_t>& c, int64_t ceiling) {
  for (size_t s = 0; s < x.size(); s++) {
    if (c[s] > 0 && x[s] * static_cast<uint64_t>(kPpm) <= static_cast<uint64_t>(ceiling) * c[s]) return true;
  }
  return false;
}

/**
 * Templates [0, count) at `gallery` against `probes` prepared probes; probe p's counts for template
 * t go to out[((p * count + t) * shifts + s) * 2 + {0: xor, 1: common}], and flags[p * count + t]
 * says whether it was compared in full. ceiling < 0: every pair in full; otherwise the first band
 * first, in full only when it passes (else zero counts). Returns the pairs compared in full.
 */
uint64_t scanTemplates(const uint64_t* gallery, size_t count, const std::vector<uint64_t>& prepared, size_t probes,
                       const Geometry& g, int64_t ceiling, uint32_t* out, uint8_t* flags) {
  const std::vector<size_t> starts = shiftStarts(g);
  std::vector<uint64_t> x(g.shifts), c(g.shifts);
  uint64_t full = 0;
  for (size_t t = 0; t < count; t++) {
    const uint64_t* tmpl = gallery + t * g.templateWords();
    // The next template, as far as it will surely be read: all of it, or its first band with the cascade.
    if (t + 1 < count) prefetchBands(tmpl + g.templateWords(), g, ceiling < 0 ? g.bands : 1);
    for (size_t p = 0; p < probes; p++) {
      const uint64_t* phases = prepared.data() + p * g.probeWords();
      std::fill(x.begin(), x.end(), 0);
      std::fill(c.begin(), c.end(), 0);
      bool inFull = true;
      if (ceiling < 0) {
        shiftCounts(phases, starts, tmpl, g, 0, g.bands, x.data(), c.data());
      } else {
        shiftCounts(phases, starts, tmpl, g, 0, 1, x.data(), c.data());
        inFull = passes(x, c, ceiling);
        if (inFull) {
          shiftCounts(phases, starts, tmpl, g, 1, g.bands, x.data(), c.data());
        } else {
          std::fill(x.begin(), x.end(), 0);
          std::fill(c.begin(), c.end(), 0);
        }
      }
      full += inFull;
      flags[p * count + t] = inFull;
      uint32_t* o = out + (p * count + t) * g.shifts * 2;
      for (size_t s = 0; s < g.shifts; s++) {
        o[2 * s] = static_cast<uint32_t>(x[s]);
        o[2 * s + 1] = static_cast<uint32_t>(c[s]);
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

/**
 * scan(gallery, first, count, bands, cols, probes, rotations, out, flags, cascadeCeiling): templates
 * [first, first + count) of `gallery` (Uint16Array, read in place) against the probes packed back
 * to back in `probes` (Uint16Array, each `2 * bands * cols` cells); counts into `out` (Uint32Array)
 * and compared-in-full flags into `flags` (Uint8Array) as scanTemplates lays them out.
 * cascadeCeiling: -1 for none, else the first band's ceiling in millionths (0..10^6). Returns the
 * number of (probe, template) pairs compared in full.
 */
Napi::Value Scan(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() != 10) {
    throw Napi::TypeError::New(env, "scan takes 10 arguments (gallery, first, count, bands, cols, probes, rotations, out, flags, cascadeCeiling)");
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
  const int64_t ceiling = integerArg(info, 9, "cascadeCeiling", -1, kPpm);
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
      scanTemplates(reinterpret_cast<const uint64_t*>(base), static_cast<size_t>(count), prepared, probes, g, ceiling, out.Data(), flags.Data());
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
