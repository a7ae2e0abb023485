// Sorting, filtering and key handling of top's view (see view.hpp).
#include "top/view.hpp"

#include <algorithm>

namespace sea::top {

const char* sort_name(SortBy by) {
  switch (by) {
    case SortBy::name: return "stream";
    case SortBy::msgs_1s: return "msgs/s";
    case SortBy::msgs_1m: return "msgs/s 1m";
    case SortBy::bytes_1s: return "B/s";
    case SortBy::bytes_1m: return "B/s 1m";
    case SortBy::age: return "age";
    case SortBy::shards: return "shards";
    case SortBy::lag: return "lag";
  }
  return "?";
}

namespace {

double sort_value(const StreamRow& row, SortBy by) {
  switch (by) {
    case SortBy::msgs_1s: return row.rate_1s.msgs_per_s;
    case SortBy::msgs_1m: return row.rate_1m.msgs_per_s;
    case SortBy::bytes_1s: return row.rate_1s.bytes_per_s;
    case SortBy::bytes_1m: return row.rate_1m.bytes_per_s;
    // A stream that never had a message is the oldest of all.
    case SortBy::age: return row.age_ms < 0 ? 1e18 : static_cast<double>(row.age_ms);
    case SortBy::shards: return static_cast<double>(row.shards.size());
    case SortBy::lag: return static_cast<double>(row.total_lag);
    case SortBy::name: return 0;
  }
  return 0;
}

}  // namespace

std::vector<const StreamRow*> visible_rows(const std::vector<StreamRow>& rows, const ViewState& state) {
  std::vector<const StreamRow*> out;
  out.reserve(rows.size());
  for (const StreamRow& row : rows)
    if (state.filter.empty() || row.name.find(state.filter) != std::string::npos) out.push_back(&row);
  const SortBy by = state.sort;
  const bool desc = state.descending;
  // Ties (and the name column) fall back to the name, so rows do not jump between frames.
  std::stable_sort(out.begin(), out.end(), [by, desc](const StreamRow* a, const StreamRow* b) {
    if (by != SortBy::name) {
      const double va = sort_value(*a, by);
      const double vb = sort_value(*b, by);
      if (va != vb) return desc ? va > vb : va < vb;
      return a->name < b->name;
    }
    return desc ? a->name > b->name : a->name < b->name;
  });
  return out;
}

void ViewState::on_key(int key, const std::vector<const StreamRow*>& visible, std::size_t page_rows) {
  if (editing_filter) {
    if (key == key_enter) editing_filter = false;
    else if (key == key_escape) {
      filter.clear();
      editing_filter = false;
    } else if (key == key_backspace) {
      if (!filter.empty()) filter.pop_back();
    } else if (key >= 0x20 && key < 0x7f && filter.size() < 128) {
      filter.push_back(static_cast<char>(key));
    }
    selected = 0;
    scroll = 0;
    return;
  }
  const std::size_t count = visible.size();
  switch (key) {
    case 'q': case 'Q': quit = true; break;
    case 'p': case 'P': case ' ': paused = !paused; break;
    case '/': editing_filter = true; break;
    case key_escape: filter.clear(); break;
    case 's': case '>':
      sort = static_cast<SortBy>((static_cast<int>(sort) + 1) % kSortColumns);
      descending = sort != SortBy::name;
      break;
    case '<':
      sort = static_cast<SortBy>((static_cast<int>(sort) + kSortColumns - 1) % kSortColumns);
      descending = sort != SortBy::name;
      break;
    case 'r': descending = !descending; break;
    case key_up: case 'k': if (selected > 0) --selected; break;
    case key_down: case 'j': if (selected + 1 < count) ++selected; break;
    case key_page_up: selected = selected > page_rows ? selected - page_rows : 0; break;
    case key_page_down: selected = count == 0 ? 0 : std::min(count - 1, selected + page_rows); break;
    case key_enter:
      if (selected < count) {
        const std::string& name = visible[selected]->name;
        if (!expanded.erase(name)) expanded.insert(name);
      }
      break;
    default: break;
  }
  if (selected < count) selected_name = visible[selected]->name;
}

}  // namespace sea::top
