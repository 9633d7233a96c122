#!/usr/bin/python3
"""Draws the packs of a replica-fuse-reductions report as an SVG picture.

    /usr/bin/python3 bench/pack_picture.py REPORT.json -o OUT.svg [--title T]

REPORT.json is what `-replica-fuse-reductions=report=REPORT.json` writes
(docs/guide.md, "Packing reductions"). One horizontal bar per pack, in the
report's order; its width is proportional to the pack's bytes, on one linear
scale for all packs (axis on top). Inside a bar each member is a segment at
its offset, in alternating shades: blue when the member is copied into the
pack, green when the pass made its producer write into the pack (in place).
Hatched grey is padding (alignment gaps and the tail up to the pack's
size). Left of a bar: pack index, reduction kind and element type; right:
bytes, members (how many in place), padding and the modelled time. Members
narrower than a pixel merge into their neighbours; every segment and bar
carries a tooltip (<title>) with the exact numbers and the member's location.

With --timeline it draws the modelled timeline instead, which
`-replica-schedule-collectives=report=FILE` adds to the report (or writes
alone): per block with all-reduces, the step as scheduled (computation in
grey, each all-reduce in blue on the communication lane from its modelled
start to its end, the part the computation waits for in red) and, below,
the same step with every all-reduce blocking.

Hand-written SVG, standard library only; the same report gives the same file.
"""

import argparse
import json
import os
import sys

# Layout (px). Text is monospace, so column widths follow from string lengths.
FONT = 12
CHAR_W = 7.3          # advance of one monospace character at FONT px (upper bound)
ROW_H = 20
BAR_H = 13
MARGIN = 16
GAP = 10
GROUP_W = 12          # column left of the bars for the launch-group brackets

COPIED = ("#4f81bd", "#9bbbe0")     # alternating shades of copied members
IN_PLACE = ("#2e8b57", "#8fd19e")   # alternating shades of in-place members
PAD_BG = "#e8e8e8"
PAD_LINE = "#a0a0a0"
GROUP_C = "#d9822b"   # bracket joining packs launched together
AXIS = "#606060"
GRID = "#e4e4e4"


def esc(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def num(x):
    """Coordinates with at most 2 decimals and no trailing zeros."""
    s = "%.2f" % x
    s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


UNITS = (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10))


def human(nbytes):
    for name, size in UNITS + (("B", 1),):
        if nbytes >= size or size == 1:
            v = nbytes / size
            return ("%.0f %s" if v >= 100 else "%.3g %s") % (v, name)


def nice_ticks(limit, target=6):
    """Tick positions 0, step, 2*step, ... covering [0, limit], step a 1-2-5
    multiple of a binary unit; returns (step, unit name, unit bytes)."""
    unit_name, unit = "B", 1
    for name, size in UNITS:
        if limit >= 2 * size:
            unit_name, unit = name, size
            break
    raw = limit / unit / target
    mag = 1
    while mag * 10 <= raw:
        mag *= 10
    while mag > raw and mag > 1e-9:
        mag /= 10
    for m in (1, 2, 5, 10):
        if m * mag >= raw:
            step = m * mag
            break
    step = max(step, 1e-9)
    return step * unit, unit_name, unit


def tick_label(value, unit_name, unit):
    v = value / unit
    s = ("%g" % round(v, 6))
    return "%s %s" % (s, unit_name) if value else "0"


def load(path, key):
    with open(path) as f:
        report = json.load(f)
    if not isinstance(report, dict) or key not in report:
        sys.exit("FAIL: %s has no '%s' (a report of %s)" % (
            path, key, "-replica-schedule-collectives" if key == "timeline"
            else "-replica-fuse-reductions"))
    return report


def svg_start(width, height):
    """The lines that open a picture of `width` x `height` px."""
    return ['<?xml version="1.0" encoding="UTF-8"?>',
            '<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" '
            'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="%d">'
            % (num(width), num(height), num(width), num(height), FONT)]


COMPUTE = "#c8c8c8"
COMM = "#4f81bd"
EXPOSED = "#c0392b"
LANE_H = 12


def render_timeline(report, title, bar_width):
    """The modelled timeline of each block: scheduled, then blocking."""
    blocks = report["timeline"]
    limit = max([b["step_blocking_us"] for b in blocks] + [1e-9])
    scale = bar_width / limit
    x0 = MARGIN + 10 * CHAR_W
    block_h = 3 * LANE_H + 2 * GAP + 40
    width = max(x0 + bar_width + MARGIN, MARGIN * 2 + len(title) * 9.5)
    y_title = MARGIN + 16
    y_legend = y_title + 26
    y0 = y_legend + 24
    height = y0 + len(blocks) * block_h + 24
    out = svg_start(width, height)
    w = out.append
    w('<rect width="100%" height="100%" fill="white"/>')
    w('<text x="%s" y="%s" font-size="16" font-weight="bold" font-family="DejaVu Sans, '
      'Helvetica, Arial, sans-serif">%s</text>' % (MARGIN, y_title, esc(title)))
    lx = MARGIN
    for label, colour in (("computation", COMPUTE), ("all-reduce in flight", COMM),
                          ("exposed: computation waits", EXPOSED)):
        w('<rect x="%s" y="%s" width="20" height="%d" fill="%s"/>'
          % (num(lx), y_legend - 10, LANE_H, colour))
        w('<text x="%s" y="%s">%s</text>' % (num(lx + 26), y_legend, esc(label)))
        lx += 26 + len(label) * CHAR_W + 24
    for i, block in enumerate(blocks):
        y = y0 + i * block_h
        w('<text x="%s" y="%s">%s</text>' % (MARGIN, num(y + 12), esc(
            "@%s %s: compute %.1f µs, all-reduces %.1f µs; exposed %.1f µs scheduled "
            "(step %.1f µs), %.1f µs blocking (step %.1f µs)" % (
                block.get("function", "?"), block.get("loc", ""), block["compute_us"],
                block["comm_us"], block["exposed_us"], block["step_us"],
                block["exposed_blocking_us"], block["step_blocking_us"]))))
        lane = y + 20
        w('<text x="%s" y="%s">scheduled</text>' % (MARGIN, num(lane + LANE_H - 2)))
        w('<rect x="%s" y="%s" width="%s" height="%d" fill="%s"/>'
          % (num(x0), num(lane), num(block["step_us"] * scale), LANE_H, COMPUTE))
        comm_lane = lane + LANE_H + GAP / 2
        for c in block["collectives"]:
            tip = "%s all-reduce of %d bytes at %s: %.3f to %.3f us, exposed %.3f us%s" % (
                c["kind"], c["bytes"], c["loc"], c["start_us"], c["end_us"],
                c["exposed_us"], "" if c["async"] else " (blocking)")
            w('<rect x="%s" y="%s" width="%s" height="%d" fill="%s" stroke="white" '
              'stroke-width="0.5"><title>%s</title></rect>'
              % (num(x0 + c["start_us"] * scale), num(comm_lane),
                 num(max(c["comm_us"] * scale, 0.5)), LANE_H, COMM, esc(tip)))
            if c["exposed_us"] > 0:
                w('<rect x="%s" y="%s" width="%s" height="%d" fill="%s"><title>%s</title></rect>'
                  % (num(x0 + (c["end_us"] - c["exposed_us"]) * scale), num(lane),
                     num(max(c["exposed_us"] * scale, 0.5)), LANE_H, EXPOSED, esc(tip)))
        blocking = comm_lane + LANE_H + GAP
        w('<text x="%s" y="%s">blocking</text>' % (MARGIN, num(blocking + LANE_H - 2)))
        w('<rect x="%s" y="%s" width="%s" height="%d" fill="%s"/>'
          % (num(x0), num(blocking), num(block["compute_us"] * scale), LANE_H, COMPUTE))
        w('<rect x="%s" y="%s" width="%s" height="%d" fill="%s"><title>every all-reduce '
          'blocking: %.3f us exposed</title></rect>'
          % (num(x0 + block["compute_us"] * scale), num(blocking),
             num(block["comm_us"] * scale), LANE_H, EXPOSED, block["comm_us"]))
    w('<text x="%s" y="%s" fill="#808080" font-size="10">from %s: modelled times, one '
      'scale for all blocks (%s px = %.3g µs); blocking: the all-reduces drawn together '
      'after the computation</text>' % (MARGIN, num(height - 10), esc(report.get("pass", "?")),
                                         num(bar_width), limit))
    w('</svg>')
    return "\n".join(out) + "\n"


def pack_rows(report):
    rows = []
    for index, pack in enumerate(report["packs"]):
        members = sorted(pack.get("members", []), key=lambda m: m["offset_bytes"])
        size = int(pack.get("bytes", 0))
        end = max([m["offset_bytes"] + m["bytes"] for m in members] + [0])
        size = max(size, end)
        gaps = []  # (offset, bytes) of padding
        cursor = 0
        for m in members:
            if m["offset_bytes"] > cursor:
                gaps.append((cursor, m["offset_bytes"] - cursor))
            cursor = max(cursor, m["offset_bytes"] + m["bytes"])
        if size > cursor:
            gaps.append((cursor, size - cursor))
        kind = str(pack.get("kind", "?"))
        elt = str(pack.get("element_type", "?"))
        left = "#%d %s %s" % (index, kind if len(kind) <= 18 else kind[:17] + "…", elt)
        if pack.get("cross_replica"):
            left += " x-rep"
        n_in = sum(1 for m in members if m.get("in_place"))
        pad = sum(g[1] for g in gaps)
        group = pack.get("group")
        right = "%s  %d member%s" % (human(size), len(members), "" if len(members) == 1 else "s")
        if group is not None:
            right = ("unfused  " if group < 0 else "group %d  " % group) + right
        if n_in:
            right += " (%d in place)" % n_in
        if pad:
            right += "  pad %s" % human(pad)
        right += "  %.1f µs" % pack.get("modelled_us", 0.0)
        tip = ("pack #%d%s: %s %s, %d replicas%s, %d bytes, %d members (%d in place), "
               "padding %d bytes, modelled %.3f us" % (
                   index, "" if group is None else " (unfused)" if group < 0
                   else " (launch group %d)" % group, kind, elt, pack.get("replicas", 0),
                   ", cross-replica" if pack.get("cross_replica") else "", size,
                   len(members), n_in, pad, pack.get("modelled_us", 0.0)))
        rows.append({"index": index, "size": size, "members": members, "gaps": gaps,
                     "left": left, "right": right, "tip": tip, "in_place": n_in, "pad": pad,
                     "us": pack.get("modelled_us", 0.0), "group": group})
    return rows


def render(report, title, bar_width):
    rows = pack_rows(report)
    total = sum(r["size"] for r in rows)
    members = sum(len(r["members"]) for r in rows)
    in_place = sum(r["in_place"] for r in rows)
    padding = sum(r["pad"] for r in rows)
    modelled = sum(r["us"] for r in rows)
    subtitle = ("%d packs, %s in all (padding %s); %d members, %d in place; "
                "candidates %s, fused %s, copies avoided %s; modelled %.1f µs in all" % (
                    len(rows), human(total), human(padding), members, in_place,
                    report.get("candidates", "?"), report.get("fused", "?"),
                    report.get("copies_avoided", "?"), modelled))
    has_groups = any(r["group"] is not None for r in rows)
    if "groups" in report:
        subtitle = subtitle.replace("; modelled", "; %s launch groups; modelled"
                                    % report["groups"])

    left_w = max([len(r["left"]) for r in rows] + [8]) * CHAR_W
    right_w = max([len(r["right"]) for r in rows] + [10]) * CHAR_W
    x0 = MARGIN + left_w + GAP + GROUP_W       # bar origin
    limit = max([r["size"] for r in rows] + [1])
    scale = bar_width / limit
    step, unit_name, unit = nice_ticks(limit)
    axis_end = limit
    width = x0 + bar_width + GAP + right_w + MARGIN
    width = max(width, MARGIN * 2 + max(len(title) * 9.5, len(subtitle) * CHAR_W))

    y_title = MARGIN + 16
    y_sub = y_title + 20
    y_legend = y_sub + 22
    y_legend2 = y_legend + (20 if has_groups else 0)
    y_axis = y_legend2 + 40
    y_rows = y_axis + 12
    height = y_rows + max(len(rows), 1) * ROW_H + 34

    out = svg_start(width, height)
    w = out.append
    w('<defs><pattern id="pad" width="6" height="6" patternUnits="userSpaceOnUse" '
      'patternTransform="rotate(45)"><rect width="6" height="6" fill="%s"/>'
      '<line x1="0" y1="0" x2="0" y2="6" stroke="%s" stroke-width="2"/></pattern></defs>'
      % (PAD_BG, PAD_LINE))
    w('<rect width="100%" height="100%" fill="white"/>')
    w('<text x="%s" y="%s" font-size="16" font-weight="bold" font-family="DejaVu Sans, '
      'Helvetica, Arial, sans-serif">%s</text>' % (MARGIN, y_title, esc(title)))
    w('<text x="%s" y="%s" fill="#404040">%s</text>' % (MARGIN, y_sub, esc(subtitle)))

    # Legend.
    lx = MARGIN
    items = [("copied member (shades alternate)", COPIED),
             ("member computed in place", IN_PLACE),
             ("padding (alignment, tail)", None)]
    for label, colours in items:
        if colours:
            w('<rect x="%s" y="%s" width="14" height="%d" fill="%s"/>'
              % (num(lx), y_legend - 11, BAR_H, colours[0]))
            w('<rect x="%s" y="%s" width="14" height="%d" fill="%s"/>'
              % (num(lx + 14), y_legend - 11, BAR_H, colours[1]))
        else:
            w('<rect x="%s" y="%s" width="28" height="%d" fill="url(#pad)" stroke="%s" '
              'stroke-width="0.5"/>' % (num(lx), y_legend - 11, BAR_H, PAD_LINE))
        w('<text x="%s" y="%s">%s</text>' % (num(lx + 34), y_legend, esc(label)))
        lx += 34 + len(label) * CHAR_W + 24
    if has_groups:
        lx = MARGIN
        label = "unfused: a candidate left as it was"
        w('<rect x="%s" y="%s" width="28" height="%d" fill="%s" stroke="#303030" '
          'stroke-width="0.8" stroke-dasharray="3,2"/>'
          % (num(lx), y_legend2 - 11, BAR_H, COPIED[0]))
        w('<text x="%s" y="%s">%s</text>' % (num(lx + 34), y_legend2, esc(label)))
        lx += 34 + len(label) * CHAR_W + 24
        w('<path d="M%s %sh-4v%dh4" fill="none" stroke="%s" stroke-width="2"/>'
          % (num(lx + 10), y_legend2 - 11, BAR_H, GROUP_C))
        w('<text x="%s" y="%s">packs launched together (one group, one '
          'batch_all_reduce per kind)</text>' % (num(lx + 18), y_legend2))
    w('<text x="%s" y="%s" fill="#606060">bar width ∝ bytes, one scale for all packs '
      '(1 px = %s); members under 1 px merge; hover for details</text>'
      % (MARGIN, y_legend2 + 18, esc(human(limit / bar_width))))

    # Scale: axis, ticks, grid.
    rows_bottom = y_rows + max(len(rows), 1) * ROW_H
    w('<g stroke="%s" stroke-width="1">' % GRID)
    ticks = [k * step for k in range(int(axis_end / step * (1 + 1e-9)) + 1)]
    for t in ticks[1:]:
        x = x0 + t * scale
        w('<line x1="%s" y1="%s" x2="%s" y2="%s"/>' % (num(x), y_axis, num(x), rows_bottom))
    w('</g>')
    w('<g stroke="%s" stroke-width="1">' % AXIS)
    w('<line x1="%s" y1="%s" x2="%s" y2="%s"/>'
      % (num(x0), y_axis, num(x0 + axis_end * scale), y_axis))
    for t in ticks:
        x = x0 + t * scale
        w('<line x1="%s" y1="%s" x2="%s" y2="%s"/>' % (num(x), y_axis - 4, num(x), y_axis))
    w('</g>')
    w('<g text-anchor="middle" fill="%s" font-size="11">' % AXIS)
    for t in ticks:
        x = x0 + t * scale
        w('<text x="%s" y="%s">%s</text>' % (num(x), y_axis - 7, esc(tick_label(t, unit_name, unit))))
    w('</g>')

    if not rows:
        w('<text x="%s" y="%s">(the report has no packs)</text>' % (num(x0), y_rows + 14))

    # Brackets over runs of adjacent packs of one launch group.
    i = 0
    while i < len(rows):
        j = i
        g = rows[i]["group"]
        while j + 1 < len(rows) and g is not None and g >= 0 and rows[j + 1]["group"] == g:
            j += 1
        if j > i:
            top = y_rows + i * ROW_H + (ROW_H - BAR_H) / 2
            bottom = y_rows + j * ROW_H + (ROW_H + BAR_H) / 2
            bx = x0 - GROUP_W / 2
            d = "M%s %sV%s" % (num(bx), num(top), num(bottom))
            for k in range(i, j + 1):
                yc = y_rows + k * ROW_H + ROW_H / 2
                d += "M%s %sH%s" % (num(bx), num(yc), num(x0 - 1))
            w('<path d="%s" fill="none" stroke="%s" stroke-width="2"><title>launch group %d: '
              'packs #%d to #%d</title></path>' % (d, GROUP_C, g, i, j))
        i = j + 1

    for i, r in enumerate(rows):
        y = y_rows + i * ROW_H + (ROW_H - BAR_H) / 2
        ty = y + BAR_H - 2
        w('<g>')
        w('<title>%s</title>' % esc(r["tip"]))
        w('<text x="%s" y="%s" text-anchor="end">%s</text>'
          % (num(x0 - GAP - GROUP_W), num(ty), esc(r["left"])))
        bw = max(r["size"] * scale, 1.0)
        # Padding first (background of the whole pack), then members on top.
        w('<rect x="%s" y="%s" width="%s" height="%d" fill="url(#pad)"/>'
          % (num(x0), num(y), num(bw), BAR_H))
        for k, m in enumerate(r["members"]):
            shades = IN_PLACE if m.get("in_place") else COPIED
            mx = x0 + m["offset_bytes"] * scale
            mw = max(m["bytes"] * scale, 0.5)
            tip = "member %d: %s, %s, offset %d, %d bytes, %s" % (
                k, m.get("type", "?"), m.get("loc", "?"), m["offset_bytes"], m["bytes"],
                "in place" if m.get("in_place") else "copied in")
            w('<rect x="%s" y="%s" width="%s" height="%d" fill="%s"><title>%s</title></rect>'
              % (num(mx), num(y), num(mw), BAR_H, shades[k % 2], esc(tip)))
        unfused = r["group"] is not None and r["group"] < 0
        w('<rect x="%s" y="%s" width="%s" height="%d" fill="none" stroke="#303030" '
          'stroke-width="%s"%s/>' % (num(x0), num(y), num(bw), BAR_H,
                                     "0.8" if unfused else "0.6",
                                     ' stroke-dasharray="3,2"' if unfused else ""))
        w('<text x="%s" y="%s">%s</text>'
          % (num(x0 + bar_width + GAP), num(ty), esc(r["right"])))
        w('</g>')

    w('<text x="%s" y="%s" fill="#808080" font-size="10">from %s; offsets and sizes in '
      'bytes as reported; modelled time: alpha-beta model of the pass</text>'
      % (MARGIN, num(rows_bottom + 24), esc(report.get("pass", "replica-fuse-reductions"))))
    w('</svg>')
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report", help="JSON report of -replica-fuse-reductions=report=FILE")
    ap.add_argument("--timeline", action="store_true",
                    help="draw the modelled timeline of -replica-schedule-collectives")
    ap.add_argument("-o", "--output", required=True, help="SVG file to write ('-' for stdout)")
    ap.add_argument("--title", help="picture title (default: from the report's file name)")
    ap.add_argument("--width", type=int, default=760,
                    help="width in px of the largest pack's bar (default %(default)s)")
    args = ap.parse_args()
    if args.width < 50:
        sys.exit("FAIL: --width must be at least 50")
    if args.timeline:
        report = load(args.report, "timeline")
        title = args.title or "modelled timeline: %s" % os.path.basename(args.report)
        svg = render_timeline(report, title, args.width)
    else:
        report = load(args.report, "packs")
        title = args.title or "replica-fuse-reductions packs: %s" % os.path.basename(args.report)
        svg = render(report, title, args.width)
    if args.output == "-":
        sys.stdout.write(svg)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(svg)


if __name__ == "__main__":
    main()
