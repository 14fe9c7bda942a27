#include "models/msc_fate.hpp"

#include <algorithm>
#include <cmath>

#include "models/cell_types.hpp"
#include "models/host_common.hpp"
#include "models/tissue_state.hpp"

namespace regensim::models {

namespace {

constexpr double kMinPerDay = 24.0 * 60.0;
constexpr int kFibroblastFate = 3;  // only under fibrous mechanical stimulus

}  // namespace

SignalFields SignalFields::read(sim::ConfigTable& t, const sim::World& world) {
  SignalFields f;
  f.oxygen = field_index(t, "oxygen_field", world);
  f.inflammation = optional_field_index(t, "inflammation_field", world);
  f.trophic = optional_field_index(t, "trophic_field", world);
  f.tgfb = optional_field_index(t, "tgfb_field", world);
  f.bmp2 = optional_field_index(t, "bmp2_field", world);
  return f;
}

SurvivalParams SurvivalParams::read(sim::ConfigTable& t, const CellProduct& product) {
  SurvivalParams p;
  p.base_per_day =
      t.get_double("death_per_day", product.source->death_per_day, sim::non_negative());
  // Hazard at anoxia; half-max at the necrosis threshold 5 mmHg (parameters.md row 2).
  p.hypoxia_per_day = t.get_double("hypoxia_death_per_day", 0.6, sim::non_negative());
  const HillParams hyp{5.0, 2.0};
  p.hypoxia = HillParams::read(t, "hypoxia", &hyp);
  p.inflammation_per_day = t.get_double("inflammation_death_per_day", 0.3, sim::non_negative());
  const HillParams inf{1.0, 1.0};
  p.inflammation = HillParams::read(t, "inflammation", &inf);
  p.immune_per_day = t.get_double("immune_clearance_per_day",
                                  product.allogeneic ? 0.15 * product.source->immunogenicity : 0.0,
                                  sim::non_negative());
  p.trophic_protection = t.get_double("trophic_protection", 0.5, sim::between(0.0, 1.0));
  const HillParams tro{1.0, 1.0};
  p.trophic = HillParams::read(t, "trophic", &tro);
  return p;
}

double SurvivalParams::hazard_per_day(double oxygen, double inflammation_signal,
                                      double trophic_signal) const {
  const double raw = base_per_day + hypoxia_per_day * hypoxia.low(oxygen) +
                     inflammation_per_day * inflammation(inflammation_signal) + immune_per_day;
  return raw * (1.0 - trophic_protection * trophic(trophic_signal));
}

ProliferationParams ProliferationParams::read(sim::ConfigTable& t, const CellProduct& product) {
  ProliferationParams p;
  p.doubling_time_h =
      t.get_double("doubling_time_h", product.source->doubling_time_h, sim::positive());
  // Transplanted MSCs are rarely seen dividing and their number falls within weeks
  // (parameters.md row 16): they keep a small share of the culture division rate
  // (assumed, not sourced; range 0-0.5).
  p.in_vivo_fraction = t.get_double("in_vivo_fraction", 0.1, sim::between(0.0, 1.0));
  // Half-max at PhysiCell's proliferation oxygen threshold, 5 mmHg (row 2).
  const HillParams o2{5.0, 2.0};
  p.oxygen = HillParams::read(t, "oxygen", &o2);
  return p;
}

double ProliferationParams::rate_per_day(double oxygen_mmhg) const {
  return in_vivo_fraction * std::log(2.0) / (doubling_time_h / 24.0) * oxygen(oxygen_mmhg);
}

DifferentiationParams DifferentiationParams::read(sim::ConfigTable& t, const CellProduct& product,
                                                  bool mechanism_on) {
  DifferentiationParams p;
  p.enabled = mechanism_on;
  // 0.3 of MSCs at least 6 days old per day (mechanoregulation models, row 19).
  p.min_age_days = t.get_double("min_age_days", 6.0, sim::non_negative());
  p.max_rate_per_day = t.get_double("max_rate_per_day", 0.3, sim::non_negative());
  p.bias[0] =
      t.get_double("bias_chondrocyte", product.source->bias_chondrocyte, sim::non_negative());
  p.bias[1] = t.get_double("bias_osteoblast", product.source->bias_osteoblast, sim::non_negative());
  p.bias[2] = t.get_double("bias_myocyte", product.source->bias_myocyte, sim::non_negative());
  const HillParams factor{1.0, 2.0}, hypoxic{15.0, 2.0}, niche{0.5, 2.0};
  p.tgfb = HillParams::read(t, "tgfb", &factor);
  // Hypoxia favours chondrogenesis and blocks osteogenesis (row 18); half-max at the
  // hypoxic threshold 15 mmHg (row 2).
  p.chondro_oxygen = HillParams::read(t, "chondro_oxygen", &hypoxic);
  p.bmp2 = HillParams::read(t, "bmp2", &factor);
  p.osteo_oxygen = HillParams::read(t, "osteo_oxygen", &hypoxic);
  p.niche = HillParams::read(t, "niche", &niche);
  // Commitment to phenotype: with min_age this puts first fates 2-3 weeks after
  // delivery, as in vitro (14-21 days, row 18). In vivo: assumed, not sourced.
  p.delay_days[0] = t.get_double("chondrocyte_delay_days", 7.0, sim::positive());
  p.delay_days[1] = t.get_double("osteoblast_delay_days", 7.0, sim::positive());
  p.delay_days[2] = t.get_double("myocyte_delay_days", 7.0, sim::positive());
  // Fibrous fate under high mechanical stimulus (row 19): as fast as the others (assumed).
  p.delay_days[3] = t.get_double("fibroblast_delay_days", 7.0, sim::positive());
  p.osteocyte_maturation_days = t.get_double("osteocyte_maturation_days", 14.0, sim::positive());
  if (t.has("loading")) {
    sim::ConfigTable l = t.table("loading");
    p.loading = true;
    // Stimulus bands of the mechanoregulation rule (row 19): > 3 fibrous, 1-3
    // cartilage, 0.01-1 bone.
    p.loading_stimulus = l.get_double("stimulus", sim::non_negative());
    p.loading_start_day = l.get_double("start_day", sim::non_negative());
    p.loading_end_day = l.get_double("end_day", sim::at_least(p.loading_start_day));
    p.loading_gain = l.get_double("gain", 1.0, sim::non_negative());
    l.finish();
  } else {
    t.accept("loading");
  }
  return p;
}

std::array<double, 3> DifferentiationParams::rates_per_day(double tgfb_signal, double oxygen,
                                                           double bmp2_signal, double niche_signal,
                                                           double day) const {
  std::array<double, 3> k = {
      max_rate_per_day * bias[0] * tgfb(tgfb_signal) * chondro_oxygen.low(oxygen),
      max_rate_per_day * bias[1] * bmp2(bmp2_signal) * osteo_oxygen(oxygen),
      max_rate_per_day * bias[2] * niche(niche_signal)};
  if (loading && day >= loading_start_day && day < loading_end_day) {
    const double s = loading_stimulus;
    if (s > 1.0 && s <= 3.0) k[0] *= 1.0 + loading_gain;
    if (s > 0.01 && s <= 1.0) k[1] *= 1.0 + loading_gain;
    if (s > 3.0) {  // fibrous: the tissue fates give way
      for (auto& r : k) r /= 1.0 + loading_gain;
    }
  }
  return k;
}

double cardiac_niche(const TissueState& t, const sim::Lattice& lattice, sim::VoxelIndex v) {
  std::array<sim::VoxelIndex, 6> nb{};
  const int count = lattice.von_neumann(v, nb);
  double sum = 0.0;
  for (int j = -1; j < count; ++j) {
    const sim::VoxelIndex u = j < 0 ? v : nb[static_cast<std::size_t>(j)];
    if (t.tissue_type[u] == kMyocardium) sum += t.viable[u] + t.contractile[u];
  }
  return sum / (count + 1);
}

MscFate::MscFate(SurvivalParams s, ProliferationParams p, DifferentiationParams d, SignalFields f,
                 sim::World& world)
    : survival_(s), proliferation_(p), differentiation_(d), fields_(f) {
  declare_cell_types(world);
  msc_ = world.agent_type("msc");
  fates_[0] = world.agent_type("chondrocyte");
  fates_[1] = world.agent_type("osteoblast");
  fates_[2] = world.agent_type("myocyte");
  osteocyte_ = world.agent_type("osteocyte");
  lineage_col_ = world.agents().column_index(kLineageColumn);
  fate_col_ = ensure_column(world, "fate", -1.0f);
  progress_col_ = ensure_column(world, "fate_progress", 0.0f);
}

void MscFate::decide(sim::World& world, const sim::StepContext& ctx, sim::StreamId stream) const {
  auto& agents = world.agents();
  const sim::KeyedRng rng(ctx.seed, stream);
  const auto& ids = agents.ids();
  const auto& voxels = agents.voxels();
  const auto& births = agents.birth_steps();
  auto& types = agents.types();
  const auto& lineage = agents.column(lineage_col_);
  auto& fate = agents.column(fate_col_);
  auto& progress = agents.column(progress_col_);
  const TissueState tissue = TissueState::of(world);
  const sim::AgentType fibroblast = world.agent_type("fibroblast");
  const double dt_day = ctx.dt_min / kMinPerDay;
  const double day = ctx.time_min / kMinPerDay;
  const auto n = static_cast<std::int64_t>(agents.size());

  // Each agent changes only its own slot: safe in parallel, independent of threads.
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto s = static_cast<sim::AgentSlot>(i);
    if (agents.is_marked(s) || lineage[s] != kDonorLineage) continue;
    const sim::VoxelIndex v = voxels[s];
    const double o2 = SignalFields::at(world, fields_.oxygen, v);
    const auto bits = rng.bits(static_cast<std::uint64_t>(ctx.step), ids[s]);
    const double hazard =
        survival_.hazard_per_day(o2, SignalFields::at(world, fields_.inflammation, v),
                                 SignalFields::at(world, fields_.trophic, v));
    if (sim::KeyedRng::to_open01(bits[0]) < event_probability(hazard / kMinPerDay, ctx.dt_min)) {
      agents.mark_for_removal(s);
      continue;
    }
    if (types[s] == fates_[1]) {  // osteoblast maturing inside its bone matrix
      progress[s] += static_cast<float>(dt_day / differentiation_.osteocyte_maturation_days);
      // Embedded once half its voxel is bone (assumed, not sourced).
      if (progress[s] >= 1.0f && tissue.bone_matrix[v] >= 0.5f) {
        types[s] = osteocyte_;
        progress[s] = 0.0f;
      }
      continue;
    }
    if (types[s] != msc_ || !differentiation_.enabled) continue;
    if (fate[s] >= 0.0f) {  // committed: the phenotype follows after the delay
      const int f = static_cast<int>(fate[s]);
      const double delay = differentiation_.delay_days[f];
      progress[s] += static_cast<float>(dt_day / delay);
      if (progress[s] >= 1.0f) {
        types[s] = f == kFibroblastFate ? fibroblast : fates_[f];
        fate[s] = -1.0f;
        progress[s] = 0.0f;
      }
      continue;
    }
    const double age_day = static_cast<double>(ctx.step - births[s]) * dt_day;
    if (age_day < differentiation_.min_age_days) continue;
    const auto k = differentiation_.rates_per_day(SignalFields::at(world, fields_.tgfb, v), o2,
                                                  SignalFields::at(world, fields_.bmp2, v),
                                                  cardiac_niche(tissue, world.lattice(), v), day);
    std::array<double, 4> rates = {k[0], k[1], k[2], 0.0};
    if (differentiation_.loading && differentiation_.loading_stimulus > 3.0 &&
        day >= differentiation_.loading_start_day && day < differentiation_.loading_end_day) {
      rates[kFibroblastFate] = differentiation_.max_rate_per_day * differentiation_.loading_gain;
    }
    const double total = rates[0] + rates[1] + rates[2] + rates[3];
    if (sim::KeyedRng::to_open01(bits[1]) >= event_probability(total / kMinPerDay, ctx.dt_min)) {
      continue;
    }
    double pick = sim::KeyedRng::to_open01(bits[2]) * total;
    int f = 0;
    while (f < 3 && pick >= rates[static_cast<std::size_t>(f)])
      pick -= rates[static_cast<std::size_t>(f++)];
    fate[s] = static_cast<float>(f);
    progress[s] = 0.0f;
  }
}

void MscFate::divide(sim::World& world, const sim::StepContext& ctx, sim::StreamId stream) {
  auto& agents = world.agents();
  const sim::KeyedRng rng(ctx.seed, stream);
  const sim::TissueLayer* vessel = world.tissue().find("vessel");
  const auto n = static_cast<std::int64_t>(agents.size());
  const auto& ids = agents.ids();
  const auto& types = agents.types();
  const auto& voxels = agents.voxels();
  auto& wanted = wanted_;
  wanted.assign(agents.size(), Birth{0, 0, sim::kNoAgent});

#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto s = static_cast<sim::AgentSlot>(i);
    if (types[s] != msc_ || agents.is_marked(s)) continue;
    const double rate =
        proliferation_.rate_per_day(SignalFields::at(world, fields_.oxygen, voxels[s]));
    const auto bits = rng.bits(static_cast<std::uint64_t>(ctx.step), ids[s], 1);
    if (sim::KeyedRng::to_open01(bits[0]) >= event_probability(rate / kMinPerDay, ctx.dt_min)) {
      continue;
    }
    sim::VoxelIndex target = 0;
    if (!pick_free_neighbour(world, vessel != nullptr ? vessel->classes.data() : nullptr, voxels[s],
                             sim::KeyedRng::to_open01(bits[1]), target)) {
      continue;  // contact inhibition
    }
    wanted[s] = {target, bits[2], s};
  }

  births_.clear();
  for (const auto& b : wanted) {
    if (b.parent != sim::kNoAgent) births_.push_back(b);
  }
  // One daughter per voxel: the lowest priority wins; then add in parent order so ids
  // and slots do not depend on the thread count.
  std::sort(births_.begin(), births_.end(), [](const Birth& a, const Birth& b) {
    return a.target != b.target
               ? a.target < b.target
               : (a.priority != b.priority ? a.priority < b.priority : a.parent < b.parent);
  });
  births_.erase(std::unique(births_.begin(), births_.end(),
                            [](const Birth& a, const Birth& b) { return a.target == b.target; }),
                births_.end());
  std::sort(births_.begin(), births_.end(),
            [](const Birth& a, const Birth& b) { return a.parent < b.parent; });
  for (const auto& b : births_) {
    const float parent_lineage = agents.column(lineage_col_)[b.parent];
    const sim::AgentSlot child = agents.add(msc_, b.target, ctx.step, agents.ids()[b.parent]);
    agents.column(lineage_col_)[child] = parent_lineage;
  }
}

}  // namespace regensim::models
