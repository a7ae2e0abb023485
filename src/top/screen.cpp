// The ncurses screen of `top` (see screen.hpp): header, column titles, one row per stream
// (expanded streams add their shards and groups), and a footer with the keys and top's own
// cost. Only this file includes curses.h.
#include "top/screen.hpp"

#include <curses.h>
#include <langinfo.h>
#include <unistd.h>

#include <clocale>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/types.hpp"
#include "top/view.hpp"

namespace sea::top {

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_stop_signal(int) { g_stop = 1; }

enum Pair : short { pair_burst = 1, pair_stale = 2, pair_title = 3 };

struct Style {
  bool colour = false;
  bool utf8 = false;
};

// Writes `text` at (y, x), cut to the screen width.
void put(int y, int x, const std::string& text) {
  const int width = COLS - x;
  if (y >= LINES || width <= 0) return;
  mvaddnstr(y, x, text.c_str(), static_cast<int>(std::min<std::size_t>(text.size(), static_cast<std::size_t>(width) * 4)));
}

std::string count_or_unknown(const std::optional<std::uint32_t>& v) { return v ? std::to_string(*v) : "?"; }

std::string pad(std::string text, std::size_t width) {
  if (text.size() > width) text.resize(width);
  text.append(width - text.size(), ' ');
  return text;
}

std::string rpad(const std::string& text, std::size_t width) {
  if (text.size() >= width) return text.substr(0, width);
  return std::string(width - text.size(), ' ') + text;
}

std::string bytes_text(double v, bool estimated) { return (estimated ? "~" : "") + human_number(v); }

void draw(const Header& header, const Model& model, ViewState& view, const Style& style, const std::string& error,
          std::int64_t interval_ms) {
  erase();
  const Totals& t = model.totals();
  // 1. The header: where, what, how much.
  attron(A_BOLD);
  put(0, 0, fmt::format("sea top  {}  [{}]  {}", header.cluster, header.backend, format_time(model.sampled_at())));
  attroff(A_BOLD);
  put(1, 0, fmt::format("total msgs/s {} 1s  {} 1m  {} 1h   B/s {} 1s  {} 1m  {} 1h", human_number(t.rate_1s.msgs_per_s),
                        human_number(t.rate_1m.msgs_per_s), human_number(t.rate_1h.msgs_per_s),
                        human_number(t.rate_1s.bytes_per_s), human_number(t.rate_1m.bytes_per_s),
                        human_number(t.rate_1h.bytes_per_s)));
  std::string processors;
  for (const ProcessorInfo& p : model.processors())
    processors += fmt::format("{}{} {}->{} {}/s", processors.empty() ? "" : ", ", p.name, p.input.substr(p.input.rfind('/') + 1),
                              p.output.substr(p.output.rfind('/') + 1), human_number(p.in_per_s));
  put(2, 0, fmt::format("streams {}  shards {}  producers {}  consumers {}  bursting {}  stale {}{}  processors {}{}{}",
                        t.streams, t.shards, count_or_unknown(t.producers), count_or_unknown(t.consumers), t.bursting,
                        t.stale, model.truncated() ? "  (truncated)" : "", model.processors().size(),
                        processors.empty() ? "" : ": ", processors));
  // 2. Column titles, the sorted one marked.
  const std::vector<const StreamRow*> rows = visible_rows(model.rows(), view);
  std::size_t name_width = 12;
  for (const StreamRow* row : rows) name_width = std::max(name_width, std::min<std::size_t>(row->name.size(), 32));
  auto title = [&](SortBy by, const char* text) {
    return fmt::format("{}{}", text, view.sort == by ? (view.descending ? "v" : "^") : "");
  };
  const std::string titles = fmt::format(
      "{} {} {} {} {} {} {} {} {:>3} {:>3} {:>3} {} {}", pad("STATE", 5), pad(title(SortBy::name, "STREAM"), name_width),
      rpad(title(SortBy::msgs_1s, "MSG/S"), 7), rpad(title(SortBy::msgs_1m, "MSG/S1M"), 8),
      rpad(title(SortBy::bytes_1s, "B/S"), 7), rpad(title(SortBy::bytes_1m, "B/S1M"), 7), pad("LAST MINUTE", 20),
      rpad(title(SortBy::age, "AGE"), 6), title(SortBy::shards, "SH"), "P", "C", rpad(title(SortBy::lag, "LAG"), 7),
      "LAST PAYLOAD");
  if (style.colour) attron(COLOR_PAIR(pair_title));
  attron(A_REVERSE);
  put(3, 0, pad(titles, static_cast<std::size_t>(COLS)));
  attroff(A_REVERSE);
  if (style.colour) attroff(COLOR_PAIR(pair_title));
  // 3. The rows, scrolled to keep the selection visible.
  const int first_line = 4;
  const std::size_t page = static_cast<std::size_t>(std::max(1, LINES - first_line - 1));
  if (view.selected >= rows.size()) view.selected = rows.empty() ? 0 : rows.size() - 1;
  if (view.selected < view.scroll) view.scroll = view.selected;
  if (view.selected >= view.scroll + page) view.scroll = view.selected - page + 1;
  int y = first_line;
  for (std::size_t i = view.scroll; i < rows.size() && y < LINES - 1; ++i) {
    const StreamRow& r = *rows[i];
    const std::string status = r.bursting ? "BURST" : r.stale ? "STALE" : "";
    const std::string line_start = fmt::format(
        "{} {} {} {} {} {} {} {} {:>3} {:>3} {:>3} {} ", pad(status, 5), pad(r.name, name_width),
        rpad(human_number(r.rate_1s.msgs_per_s), 7), rpad(human_number(r.rate_1m.msgs_per_s), 8),
        rpad(bytes_text(r.rate_1s.bytes_per_s, r.bytes_estimated), 7),
        rpad(bytes_text(r.rate_1m.bytes_per_s, r.bytes_estimated), 7), pad("", 20), rpad(human_age(r.age_ms), 6),
        r.shards.size(), count_or_unknown(r.producers), count_or_unknown(r.consumers),
        rpad(r.groups.empty() ? "-" : human_number(static_cast<double>(r.total_lag)), 7));
    attr_t attr = i == view.selected ? A_REVERSE : A_NORMAL;
    if (r.bursting) attr |= A_BOLD | (style.colour ? COLOR_PAIR(pair_burst) : 0);
    else if (r.stale) attr |= style.colour ? COLOR_PAIR(pair_stale) : A_DIM;
    attron(attr);
    put(y, 0, line_start);
    attroff(attr);
    // The sparkline sits in the gap left for it (column after B/S1M).
    const int spark_x = static_cast<int>(5 + 1 + name_width + 1 + 7 + 1 + 8 + 1 + 7 + 1 + 7 + 1);
    put(y, spark_x, sparkline(r.sparkline, 20, style.utf8));
    const int preview_x = static_cast<int>(line_start.size());
    if (preview_x < COLS) put(y, preview_x, r.preview_known ? one_line(r.preview, static_cast<std::size_t>(COLS - preview_x)) : "?");
    ++y;
    if (view.expanded.count(r.name) == 0) continue;
    for (const ShardStats& s : r.shards) {
      if (y >= LINES - 1) break;
      put(y++, 6, fmt::format("shard {:<4} seq {}..{}  appended {}  last {}", s.id, s.first_seq, s.last_seq, s.appended,
                              s.last_ts > 0 ? format_time(s.last_ts) : "-"));
    }
    for (const GroupStats& g : r.groups) {
      if (y >= LINES - 1) break;
      std::string extra;
      if (g.parked > 0) extra += fmt::format("  parked {}", g.parked);
      if (g.stale_pending > 0) extra += fmt::format("  pending on dead members {} ({})", g.stale_pending, fmt::join(g.stale_members, ","));
      put(y++, 6, fmt::format("group {}  members {}  lag {}{}", g.name, g.members_known ? std::to_string(g.members) : "?", g.lag, extra));
    }
  }
  // 4. The footer: keys, state and top's own cost.
  const SelfCost& cost = model.self_cost();
  std::string footer = fmt::format("q quit  s/</> sort ({})  r reverse  / filter  Enter expand  p pause | top: {} req/s, sample {} ms, every {} ms",
                                   sort_name(view.sort), human_number(cost.requests_per_s), cost.sample_ms, interval_ms);
  if (view.editing_filter || !view.filter.empty()) footer = fmt::format("filter: {}{}  | {}", view.filter, view.editing_filter ? "_" : "", footer);
  if (view.paused) footer = "PAUSED | " + footer;
  if (!error.empty()) footer = "error: " + error + " | " + footer;
  attron(A_REVERSE);
  put(LINES - 1, 0, pad(footer, static_cast<std::size_t>(COLS)));
  attroff(A_REVERSE);
  refresh();
}

int map_key(int ch) {
  switch (ch) {
    case KEY_UP: return key_up;
    case KEY_DOWN: return key_down;
    case KEY_ENTER: case '\n': case '\r': return key_enter;
    case 27: return key_escape;
    case KEY_BACKSPACE: case 127: case 8: return key_backspace;
    case KEY_PPAGE: return key_page_up;
    case KEY_NPAGE: return key_page_down;
    default: return ch;
  }
}

}  // namespace

Result<void> run_screen(const Header& header, Model& model, const SampleFn& sample, std::int64_t interval_ms) {
  // 1. The terminal: curses on a tty only, colours unless NO_COLOR says otherwise.
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
    return make_error(Errc::invalid_argument, "the top screen needs a terminal; use --json for pipes");
  std::setlocale(LC_ALL, "");
  Style style;
  const char* codeset = nl_langinfo(CODESET);
  style.utf8 = codeset != nullptr && std::strcmp(codeset, "UTF-8") == 0;
  if (initscr() == nullptr) return make_error(Errc::io, "cannot initialise the terminal");
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  const char* no_color = std::getenv("NO_COLOR");
  style.colour = has_colors() && (no_color == nullptr || no_color[0] == '\0');
  if (style.colour) {
    start_color();
    use_default_colors();
    init_pair(pair_burst, COLOR_RED, -1);
    init_pair(pair_stale, COLOR_YELLOW, -1);
    init_pair(pair_title, COLOR_CYAN, -1);
  }
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  // 2. Sample, draw, and read keys until the next sample is due.
  ViewState view;
  std::string error;
  std::int64_t next_sample = 0;
  while (!view.quit && g_stop == 0) {
    const std::int64_t now = now_ms();
    if (now >= next_sample) {
      next_sample = now + interval_ms;
      if (!view.paused) {
        Result<void> sampled = sample(model);
        error = sampled ? std::string() : sampled.error().message;
      }
      draw(header, model, view, style, error, interval_ms);
    }
    timeout(static_cast<int>(std::max<std::int64_t>(10, next_sample - now_ms())));
    const int ch = getch();
    if (ch == ERR) continue;
    if (ch == KEY_RESIZE) {
      draw(header, model, view, style, error, interval_ms);
      continue;
    }
    const std::vector<const StreamRow*> rows = visible_rows(model.rows(), view);
    view.on_key(map_key(ch), rows, static_cast<std::size_t>(std::max(1, LINES - 5)));
    draw(header, model, view, style, error, interval_ms);
  }
  // 3. Always give the terminal back.
  endwin();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  g_stop = 0;
  return ok();
}

}  // namespace sea::top
