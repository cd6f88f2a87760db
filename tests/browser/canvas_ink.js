// Installed before a live page's scripts (tests/browser/test_live_pages.py): records what every
// 2-D canvas draws, in CSS px of the canvas, independently of the twin's own bookkeeping: the box
// of every fillText (turned text included), every fillRect and strokeRect, and every stroked or
// filled path (its line segments, and the box of each arc). A drawing starts again when its
// canvas's transform is set (the twin's fitCanvas does that first).
// window.bpLabelProblems(root) lists what a reader could not read on the canvases in `root`.
(() => {
  const P = CanvasRenderingContext2D.prototype;
  const fresh = () => ({ texts: [], rects: [], segs: [] });
  const ink = (c) => c.canvas.__ink || (c.canvas.__ink = fresh());
  const toCss = (c, x, y) => {
    const t = c.getTransform();
    const s = c.canvas.width / Math.max(1, c.canvas.clientWidth);
    return [(t.a * x + t.c * y + t.e) / s, (t.b * x + t.d * y + t.f) / s];
  };
  const box = (pts) => {
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const x = Math.min(...xs);
    const y = Math.min(...ys);
    return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
  };
  const wrap = (name, fn) => {
    const orig = P[name];
    P[name] = function (...a) {
      fn(this, ...a);
      return orig.apply(this, a);
    };
  };
  wrap("setTransform", (c) => {
    c.canvas.__ink = fresh();
    c.__path = [];
  });
  wrap("fillText", (c, text, x, y) => {
    const m = c.measureText(text);
    const l = x - m.actualBoundingBoxLeft;
    const r = x + m.actualBoundingBoxRight;
    const t = y - m.actualBoundingBoxAscent;
    const b = y + m.actualBoundingBoxDescent;
    const corners = [[l, t], [r, t], [l, b], [r, b]].map((p) => toCss(c, ...p));
    ink(c).texts.push({ text: String(text), ...box(corners) });
  });
  wrap("fillRect", (c, x, y, w, h) => {
    ink(c).rects.push(box([[x, y], [x + w, y + h]].map((p) => toCss(c, ...p))));
  });
  wrap("strokeRect", (c, x, y, w, h) => {
    const corners = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]].map((p) => toCss(c, ...p));
    corners.forEach((p, i) => ink(c).segs.push([p, corners[(i + 1) % 4]])); // its four edges
  });
  wrap("beginPath", (c) => {
    c.__path = [];
  });
  wrap("moveTo", (c, x, y) => {
    (c.__path ||= []).push([toCss(c, x, y)]);
  });
  wrap("lineTo", (c, x, y) => {
    const path = (c.__path ||= []);
    if (!path.length) path.push([]);
    path[path.length - 1].push(toCss(c, x, y));
  });
  wrap("arc", (c, x, y, r) => {
    (c.__path ||= []).push({ arc: box([[x - r, y - r], [x + r, y + r]].map((p) => toCss(c, ...p))) });
  });
  const paint = (c) => {
    for (const sub of c.__path || []) {
      if (sub.arc) ink(c).rects.push(sub.arc);
      else for (let i = 1; i < sub.length; i++) ink(c).segs.push([sub[i - 1], sub[i]]);
    }
  };
  wrap("stroke", paint);
  wrap("fill", paint);

  // Two boxes overlap by more than half a pixel.
  const overlap = (p, q, e = 0.5) =>
    p.x < q.x + q.w - e && q.x < p.x + p.w - e && p.y < q.y + q.h - e && q.y < p.y + p.h - e;
  // A segment passes through the inside of the box (sampled every half pixel).
  const crosses = (b, [p, q]) => {
    const n = Math.max(1, Math.ceil(2 * Math.hypot(q[0] - p[0], q[1] - p[1])));
    for (let i = 0; i <= n; i++) {
      const x = p[0] + ((q[0] - p[0]) * i) / n;
      const y = p[1] + ((q[1] - p[1]) * i) / n;
      if (x > b.x + 0.5 && x < b.x + b.w - 0.5 && y > b.y + 0.5 && y < b.y + b.h - 0.5) return true;
    }
    return false;
  };
  /** Texts cut by their canvas's edge, overlapping another text, or crossed by a line, a bar
   * or a marker of the same canvas; one sentence each. */
  window.bpLabelProblems = (root) => {
    const problems = [];
    for (const canvas of root.querySelectorAll("canvas")) {
      const name = canvas.className;
      const { texts, rects, segs } = canvas.__ink || fresh();
      const W = canvas.clientWidth;
      const H = canvas.clientHeight;
      const r = Math.round;
      texts.forEach((t, i) => {
        if (t.x < -0.5 || t.y < -0.5 || t.x + t.w > W + 0.5 || t.y + t.h > H + 0.5)
          problems.push(`${name}: "${t.text}" cut by the canvas's edge (x ${r(t.x)}..${r(t.x + t.w)} of ${W}, y ${r(t.y)}..${r(t.y + t.h)} of ${H})`);
        for (const u of texts.slice(i + 1)) if (overlap(t, u)) problems.push(`${name}: "${t.text}" overlaps "${u.text}"`);
        if (rects.some((q) => overlap(t, q))) problems.push(`${name}: "${t.text}" overlaps a bar or marker`);
        if (segs.some((s) => crosses(t, s))) problems.push(`${name}: "${t.text}" crossed by a line`);
      });
    }
    return [...new Set(problems)];
  };
  /** The texts drawn on `canvas` in its last drawing. */
  window.bpCanvasTexts = (canvas) => (canvas.__ink || fresh()).texts.map((t) => t.text);
})();
