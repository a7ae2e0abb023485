// The interactive `top`: an ncurses screen redrawn after every sample and on each key or
// terminal resize. Bursting and stale streams are coloured when the terminal has colours and
// NO_COLOR is unset, and always carry a BURST / STALE marker, so they show on any terminal.
//
// Lifecycle: run_screen() initialises curses, loops until `q` (or SIGINT/SIGTERM), and always
// restores the terminal before it returns. Single-threaded: the sampler runs between key
// reads, on the caller's thread (it may run the caller's event loop).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/error.hpp"
#include "top/model.hpp"
#include "top/report.hpp"

namespace sea::top {

// Takes one sample and folds it into the model; an error is shown in the footer and the
// screen keeps running (a server may come back).
using SampleFn = std::function<Result<void>(Model& model)>;

// Runs until quit; returns an error only when the terminal cannot be used.
Result<void> run_screen(const Header& header, Model& model, const SampleFn& sample, std::int64_t interval_ms);

}  // namespace sea::top
