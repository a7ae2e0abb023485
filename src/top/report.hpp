// `top`'s output for scripts and people: the JSON document of one snapshot (`--json`, one per
// interval as NDJSON; `--once --json`), and the small text formatters the screen uses (rates
// as 1.2k, ages as 3s / 4m / 2h, sparklines). Field names that carry rates contain "per_s"
// (msgs_per_s_1s, bytes_per_s_1m, ...) so that scripts can find them by name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "top/model.hpp"

namespace sea::top {

struct Header {
  std::string cluster;  // Uri::display(): credentials masked
  std::string backend;  // file, redis, kafka, ...
  std::int64_t interval_ms = 1000;
};

// One line of compact JSON (no newline).
std::string snapshot_json(const Header& header, const Model& model);

// 1234 -> "1.2k", 0 -> "0", 0.5 -> "0.5".
std::string human_number(double value);
// Milliseconds as "850ms", "12s", "4m", "3h", "2d"; negative -> "-".
std::string human_age(std::int64_t ms);
// The values as a sparkline of `width` cells (the newest at the right), scaled to their max.
// With utf8, block elements; without, ASCII ramps.
std::string sparkline(const std::vector<double>& values, std::size_t width, bool utf8);
// The first line of a payload, control bytes shown as '.', cut to `width` bytes (UTF-8 safe).
std::string one_line(std::string_view payload, std::size_t width);

}  // namespace sea::top
