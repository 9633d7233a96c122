//===- Float16.h - f16 and bf16 conversions for the runtimes ----*- C++ -*-===//
//
// IEEE half and bfloat16 to and from float, rounding to nearest even: MPI
// has no 16-bit float types, so the runtimes reduce them in float. No MLIR
// dependency.
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_RUNTIME_FLOAT16_H
#define REPLICA_RUNTIME_FLOAT16_H

#include <cstdint>
#include <cstring>

namespace replica::runtime {


inline uint32_t floatToBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

inline float bitsToFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

/// Rounds `value >> shift` to nearest, ties to even; 0 < shift < 32.
inline uint32_t shiftRightRoundingToEven(uint32_t value, unsigned shift) {
  uint32_t result = value >> shift;
  uint32_t rest = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (result & 1)))
    ++result;
  return result;
}

inline float halfToFloat(uint16_t half) {
  uint32_t sign = static_cast<uint32_t>(half & 0x8000) << 16;
  uint32_t exponent = (half >> 10) & 0x1f;
  uint32_t mantissa = half & 0x3ff;
  if (exponent == 0x1f && mantissa != 0) // NaN: quiet it, as F16C does.
    return bitsToFloat(sign | 0x7fc00000 | (mantissa << 13));
  if (exponent == 0x1f)
    return bitsToFloat(sign | 0x7f800000);
  if (exponent != 0)
    return bitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  // Zero or subnormal: mantissa * 2^-24, exact in float.
  float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
  return bitsToFloat(sign | floatToBits(magnitude));
}

inline uint16_t floatToHalf(float value) {
  uint32_t bits = floatToBits(value);
  uint16_t sign = (bits >> 16) & 0x8000;
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) // NaN: make it quiet, keep the top payload.
    return sign | 0x7e00 | ((magnitude >> 13) & 0x3ff);
  // 65520 is halfway between the largest half (65504) and 2^16; ties go to
  // the even 2^16, which overflows.
  if (magnitude >= 0x477ff000)
    return sign | 0x7c00;
  if (magnitude >= 0x38800000) // Normal half: rebias, round the mantissa.
    return sign | shiftRightRoundingToEven(magnitude - 0x38000000, 13);
  // Subnormal half: round (significand * 2^(exponent - 150)) * 2^24; a carry
  // into bit 10 correctly yields the smallest normal.
  uint32_t exponent = magnitude >> 23;
  unsigned shift = 126 - exponent;
  if (shift > 24)
    return sign;
  uint32_t significand = (magnitude & 0x7fffff) | 0x800000;
  return sign | shiftRightRoundingToEven(significand, shift);
}

inline float bfloat16ToFloat(uint16_t value) {
  return bitsToFloat(static_cast<uint32_t>(value) << 16);
}

inline uint16_t floatToBfloat16(float value) {
  uint32_t bits = floatToBits(value);
  if ((bits & 0x7fffffff) > 0x7f800000) // NaN: set the quiet bit.
    return (bits >> 16) | 0x0040;
  return shiftRightRoundingToEven(bits, 16);
}

} // namespace replica::runtime

#endif // REPLICA_RUNTIME_FLOAT16_H
