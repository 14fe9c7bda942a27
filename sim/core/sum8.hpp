#pragma once
/// Σ term(i) for i in [0, n) in double with eight partial sums in a fixed order (partial k
/// takes i = k mod 8, up to the last whole group of eight): vectorisable, and the same bits
/// for any thread count and in every instruction-set clone that inlines it. Shared by the
/// solvers' row sums and Field::total.

namespace regensim::sim {

template <class Term>
[[gnu::always_inline]] inline double sum8(int n, Term&& term) {
  double part[8] = {};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) part[k] += term(i + k);
  }
  for (; i < n; ++i) part[0] += term(i);
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

}  // namespace regensim::sim
