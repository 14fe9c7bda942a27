#include "sim/solver/line_dct.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace regensim::sim::detail {

namespace {

/// n's factors in the order the stages take them: fours, a two, threes, fives, then any
/// other primes (the direct sum), smallest first.
std::vector<int> radices(int n) {
  std::vector<int> out;
  while (n % 4 == 0) {
    out.push_back(4);
    n /= 4;
  }
  for (int p = 2; n > 1; ++p) {
    while (n % p == 0) {
      out.push_back(p);
      n /= p;
    }
    if (p * p > n && n > 1) {  // what remains is prime
      out.push_back(n);
      break;
    }
  }
  return out;
}

}  // namespace

int LineDct::largest_prime_factor(int n) {
  // Trial division, no allocation: the engine asks at every field step.
  int largest = 1;
  for (int p = 2; p * p <= n; ++p) {
    while (n % p == 0) {
      largest = p;
      n /= p;
    }
  }
  return std::max(largest, n);
}

LineDct::LineDct(int n) : n_(n) {
  if (n < 1) throw std::invalid_argument("LineDct: length " + std::to_string(n) + " must be >= 1");
  const double pi = std::numbers::pi;
  slots_.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    slots_[static_cast<std::size_t>(i)] = i % 2 == 0 ? i / 2 : n - 1 - i / 2;
  }
  half_cos_.resize(static_cast<std::size_t>(n));
  half_sin_.resize(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) {
    const double theta = pi * k / (2.0 * n);
    half_cos_[static_cast<std::size_t>(k)] = static_cast<float>(0.5 * std::cos(theta));
    half_sin_[static_cast<std::size_t>(k)] = static_cast<float>(0.5 * std::sin(theta));
  }
  int stride = 1;
  int length = n;  // of the sub-transforms this stage starts
  for (const int p : radices(n)) {
    Stage st;
    st.radix = p;
    st.m = length / p;
    st.stride = stride;
    st.tw_re.resize(static_cast<std::size_t>(st.m * p));
    st.tw_im.resize(st.tw_re.size());
    for (int j = 0; j < st.m; ++j) {
      for (int t = 0; t < p; ++t) {
        // j*t reduced mod length keeps the angle's argument exact in double.
        const double angle = -2.0 * pi * static_cast<double>((j * t) % length) / length;
        st.tw_re[static_cast<std::size_t>(j * p + t)] = static_cast<float>(std::cos(angle));
        st.tw_im[static_cast<std::size_t>(j * p + t)] = static_cast<float>(std::sin(angle));
      }
    }
    if (p != 2 && p != 3 && p != 4 && p != 5) {
      st.root_re.resize(static_cast<std::size_t>(p));
      st.root_im.resize(static_cast<std::size_t>(p));
      for (int a = 0; a < p; ++a) {
        const double angle = -2.0 * pi * a / p;
        st.root_re[static_cast<std::size_t>(a)] = static_cast<float>(std::cos(angle));
        st.root_im[static_cast<std::size_t>(a)] = static_cast<float>(std::sin(angle));
      }
    }
    stages_.push_back(std::move(st));
    stride *= p;
    length /= p;
  }
}

}  // namespace regensim::sim::detail
