// What the person looking at `top` chose: sort column and direction, the name filter, the
// selected row, the expanded streams, pause. Pure state and key handling (no ncurses), so it
// is tested without a terminal; screen.cpp draws it.
//
// Keys: s / > next sort column, < previous, r reverse, / filter (type, Enter keeps it, Esc
// clears it), Up/Down or j/k select, Enter expand/collapse the selected stream, p pause,
// q quit.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "top/model.hpp"

namespace sea::top {

enum class SortBy { name, msgs_1s, msgs_1m, bytes_1s, bytes_1m, age, shards, lag };
inline constexpr int kSortColumns = 8;
const char* sort_name(SortBy by);

// Key codes the view understands beside printable characters (screen.cpp maps curses keys).
enum Key : int { key_up = 0x1001, key_down, key_enter, key_escape, key_backspace, key_page_up, key_page_down };

struct ViewState {
  SortBy sort = SortBy::msgs_1s;
  bool descending = true;
  std::string filter;
  bool editing_filter = false;
  std::size_t selected = 0;
  std::size_t scroll = 0;
  std::set<std::string> expanded;
  bool paused = false;
  bool quit = false;
  std::string selected_name;

  // Applies one key; `visible` is the row list as last shown (for Enter and selection).
  void on_key(int key, const std::vector<const StreamRow*>& visible, std::size_t page_rows);
};

// The rows that pass the filter, in the chosen order.
std::vector<const StreamRow*> visible_rows(const std::vector<StreamRow>& rows, const ViewState& state);

}  // namespace sea::top
