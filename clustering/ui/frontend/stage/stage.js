// The stage of Clustering Lab: plays a precomputed run of K-means or EM on a canvas.
// Python (clustering/ui/stage.py) sends the run once; every half-step is drawn here, in motion,
// with no server round trip. The half-step on screen is reported back (debounced) so that the
// page's metrics and link follow. See stage.py for the payload's fields.

const SPEEDS = { slow: 700, normal: 300, fast: 120, instant: 0 };
const HOLD = 0.35; // Run to convergence: pause between half-steps, as a share of the speed
const REPORT_DELAY = 250; // ms after the last change before the cursor is reported
const STICKY_FIT_MS = 15000; // a stage mounted this soon after a touch keeps the figure's size
const ZOOM_HALF_STEPS = 8; // the curve's zoom: the last this many half-steps up to the one on screen
const E_COLOUR = "#1f4e79";
const M_COLOUR = "#b8452b";
const OUTLINE = "#1a1a1a";
const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_HEIGHT = 280; // the main canvas, CSS pixels: never smaller, whatever the screen
const FIT_MARGIN = 4; // CSS pixels kept free under the main canvas in the first screen
const PRESENT_ZOOM = 1.3; // presenter mode: type, markers and lines drawn this much bigger
const SIDE_MIN_WIDTH = 880; // a stage at least this wide puts the curve beside the figure
const FULL_ICON = '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">' +
  '<path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5" fill="none" stroke="currentColor" stroke-width="2.2"/></svg>';

function escapeHtml(text) {
  // server text shown as text inside the status line's markup (never as markup of its own)
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function sub(n) {
  return String(n).split("").map((d) => SUBSCRIPTS[Number(d)]).join("");
}

function el(tag, attrs = {}, parent = null) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else if (name === "html") node.innerHTML = value;
    else node.setAttribute(name, value);
  }
  if (parent) parent.appendChild(node);
  return node;
}

function decode(b64, Type) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new Type(bytes.buffer);
}

function hexRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

const SUPERSCRIPT = { "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶",
  "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻", "+": "" };
const BOUND_ROUNDING_RTOL = 1e-12; // as clustering.constants: a smaller gap is rounding, shown 0

function fmt(v) {
  // as clustering.ui.numbers.fmt_sig: whole numbers, "3.42 × 10⁻⁵" for tiny or huge ones
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) {
    const [mantissa, power] = v.toExponential(2).split("e");
    return `${mantissa} × 10${[...power].map((c) => SUPERSCRIPT[c]).join("")}`;
  }
  return v.toLocaleString("en-US", { maximumSignificantDigits: 5 });
}

function fmtSig(v, significant) {
  // as clustering.ui.numbers.fmt_sig: the page's metrics write J, ℓ and 𝓛 this way
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (v === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(v)));
  if (magnitude < -3 || magnitude >= 7) {
    const [mantissa, power] = v.toExponential(Math.min(significant, 3) - 1).split("e");
    return `${mantissa} × 10${[...String(Number(power))].map((c) => SUPERSCRIPT[c]).join("")}`;
  }
  const digits = Math.max(significant - 1 - magnitude, 0);
  const text = v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return text.startsWith("-") && Number(text.replace(/,/g, "")) === 0 ? text.slice(1) : text;
}

// a line of text that never runs off the canvas: it starts further left, then gets smaller type
function fitText(ctx, text, x, y, right, px) {
  const family = "system-ui, sans-serif";
  ctx.font = `${px}px ${family}`;
  let width = ctx.measureText(text).width;
  if (x + width > right) x = Math.max(4, right - width);
  while (x + width > right && px > 10) {
    px -= 1;
    ctx.font = `${px}px ${family}`;
    width = ctx.measureText(text).width;
  }
  ctx.fillText(text, x, y);
}

function niceStep(span, count) {
  const raw = span / Math.max(count, 1);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

function ticks(lo, hi, count) {
  const step = niceStep(hi - lo, count);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

const TICK_FORMATS = new Map(); // digits -> Intl.NumberFormat (made once: toLocaleString makes one per call)

function tickText(v, step) {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  if (!TICK_FORMATS.has(digits)) {
    TICK_FORMATS.set(digits, new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  }
  return TICK_FORMATS.get(digits).format(v);
}

const ease = (t) => (t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2);
const lerp = (a, b, t) => a + (b - a) * t;

// ------------------------------------------------------------------------------------
// A panel: one run (K-means or EM) and what it shows at every half-step
// ------------------------------------------------------------------------------------

class Panel {
  constructor(spec, points, palette, unassigned) {
    this.spec = spec;
    this.alg = spec.algorithm;
    this.k = spec.k;
    this.kinds = spec.kinds;
    this.length = spec.kinds.length;
    this.points = points;
    this.palette = palette.map(hexRgb);
    this.grey = hexRgb(unassigned);
    this.cache = new Map(); // E-step index -> {labels, rgb}
    this.mode = "blend";
  }

  at(i) {
    return Math.max(0, Math.min(i, this.length - 1));
  }

  // the E step whose assignment is in force at half-step i (-1 before the first)
  eIndex(i) {
    i = this.at(i);
    const kind = this.kinds[i];
    return kind === "E" ? i : kind === "M" ? i - 1 : -1;
  }

  centres(i) {
    i = this.at(i);
    return this.alg === "kmeans" ? this.spec.centroids[i] : this.spec.params[i].mu;
  }

  assignment(e) {
    if (e < 0) return null;
    const key = `${e}|${this.mode}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.alg === "kmeans" ? this.kmeansAssign(e) : this.gmmAssign(e);
      this.cache.set(key, hit);
      if (this.cache.size > 400) this.cache.delete(this.cache.keys().next().value);
    }
    return hit;
  }

  // E step of K-means for the drawn points: argmin_k sum_d (x_d - u_kd)^2, ties to the lowest k
  kmeansAssign(e, u = this.spec.centroids[e]) {
    const { xy, n } = this.points;
    const labels = new Uint8Array(n);
    const rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      const x = xy[2 * i], y = xy[2 * i + 1];
      let best = 0;
      let dx = x - u[0][0], dy = y - u[0][1];
      let bestD = dx * dx;
      bestD += dy * dy;
      for (let k = 1; k < u.length; k++) {
        dx = x - u[k][0];
        dy = y - u[k][1];
        let d = dx * dx;
        d += dy * dy;
        if (d < bestD) { bestD = d; best = k; }
      }
      labels[i] = best;
      const c = this.palette[best % this.palette.length];
      rgb[3 * i] = c[0]; rgb[3 * i + 1] = c[1]; rgb[3 * i + 2] = c[2];
    }
    return { labels, rgb };
  }

  // E step of EM for the drawn points: gamma_nk from log pi_k + log N(x_n; mu_k, L_k L_k^T)
  gmmAssign(e, p = this.spec.params[e]) {
    const { xy, n } = this.points;
    const K = p.w.length;
    const labels = new Uint8Array(n);
    const rgb = new Uint8Array(n * 3);
    const constant = p.w.map((w, k) => Math.log(w) - Math.log(p.chol[k][0][0]) - Math.log(p.chol[k][1][1]) - LOG_2PI);
    const a = new Float64Array(K);
    const likely = this.mode === "likely";
    for (let i = 0; i < n; i++) {
      const x = xy[2 * i], y = xy[2 * i + 1];
      let best = 0, top = -Infinity;
      for (let k = 0; k < K; k++) {
        const L = p.chol[k];
        const z0 = (x - p.mu[k][0]) / L[0][0];
        const z1 = (y - p.mu[k][1] - L[1][0] * z0) / L[1][1];
        a[k] = constant[k] - 0.5 * (z0 * z0 + z1 * z1);
        if (a[k] > top) { top = a[k]; best = k; }
      }
      let sum = 0;
      for (let k = 0; k < K; k++) { a[k] = Math.exp(a[k] - top); sum += a[k]; }
      labels[i] = best;
      if (likely) {
        const g = a[best] / sum;
        const c = this.palette[best % this.palette.length];
        for (let d = 0; d < 3; d++) rgb[3 * i + d] = Math.round(255 + (c[d] - 255) * g);
      } else {
        let r = 0, gg = 0, b = 0;
        for (let k = 0; k < K; k++) {
          const g = a[k] / sum, c = this.palette[k % this.palette.length];
          r += g * c[0]; gg += g * c[1]; b += g * c[2];
        }
        rgb[3 * i] = Math.round(r); rgb[3 * i + 1] = Math.round(gg); rgb[3 * i + 2] = Math.round(b);
      }
    }
    return { labels, rgb };
  }

  curveNames() {
    return this.alg === "kmeans" ? ["J"] : ["ll", "bound"];
  }

  // while the start is dragged: the start with the centres moved (EM: the start the page makes
  // from means placed by hand, spec.dragged, else this start's weights and shapes)
  liveStart(centres) {
    if (this.alg === "kmeans") return { centres };
    const base = this.spec.dragged || this.spec.params[0];
    return { centres, params: { w: base.w, cov: base.cov, chol: base.chol, mu: centres } };
  }

  // the assignment the next E step would make from a dragged start (labels / gamma, colours)
  liveAssignment(live) {
    return this.alg === "kmeans" ? this.kmeansAssign(-1, live.centres) : this.gmmAssign(-1, live.params);
  }
}

// ------------------------------------------------------------------------------------
// Drawing
// ------------------------------------------------------------------------------------

// zoom > 1 (presenter mode, full screen): everything drawn grows, the canvas keeps its CSS size;
// the returned w, h and dpr are in drawing units (CSS pixels = drawing units × zoom)
function sizeCanvas(canvas, cssW, cssH, zoom = 1) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(cssW * dpr), h = Math.round(cssH * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.height = `${cssH}px`;
  }
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, 0, 0);
  return { ctx, dpr: dpr * zoom, w: cssW / zoom, h: cssH / zoom };
}

// The data-to-pixel map of a plot: equal scale on both axes, the data's ranges inside
function frameOf(w, h, xr, yr) {
  const m = { l: 62, r: 14, t: 12, b: 52 };
  const pw = w - m.l - m.r, ph = h - m.t - m.b;
  const s = Math.max((xr[1] - xr[0]) / pw, (yr[1] - yr[0]) / ph);
  const cx = (xr[0] + xr[1]) / 2, cy = (yr[0] + yr[1]) / 2;
  const x0 = cx - (s * pw) / 2, y1 = cy + (s * ph) / 2;
  return {
    m, pw, ph, s,
    xr: [x0, x0 + s * pw], yr: [y1 - s * ph, y1],
    px: (x) => m.l + (x - x0) / s,
    py: (y) => m.t + (y1 - y) / s,
  };
}

function diskMask(radius, dpr, opacity) {
  const r = radius * dpr;
  const half = Math.ceil(r + 0.5);
  const size = 2 * half + 1;
  const mask = new Float32Array(size * size);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const d = Math.hypot(i - half, j - half);
      mask[j * size + i] = Math.max(0, Math.min(1, r + 0.5 - d)) * opacity;
    }
  }
  return { mask, size, half };
}

// One marker shape per cluster (as clustering.constants.CLUSTER_SYMBOLS, Plotly's names), so
// colour is never the only cue. Each shape is a polygon in units of the point radius (y down),
// or the disk; its mask holds the covered share of each device pixel (4 × 4 samples).
function regularPolygon(corners, radius, turn, inner = null) {
  const out = [];
  const count = inner === null ? corners : 2 * corners;
  for (let i = 0; i < count; i++) {
    const r = inner !== null && i % 2 ? inner : radius;
    const a = turn + (2 * Math.PI * i) / count;
    out.push([r * Math.sin(a), -r * Math.cos(a)]);
  }
  return out;
}
const SHAPES = {
  circle: null,
  square: [[-0.88, -0.88], [0.88, -0.88], [0.88, 0.88], [-0.88, 0.88]],
  diamond: [[0, -1.25], [1.25, 0], [0, 1.25], [-1.25, 0]],
  "triangle-up": regularPolygon(3, 1.35, 0),
  "triangle-down": regularPolygon(3, 1.35, Math.PI),
  cross: [[-0.36, -1.1], [0.36, -1.1], [0.36, -0.36], [1.1, -0.36], [1.1, 0.36], [0.36, 0.36],
    [0.36, 1.1], [-0.36, 1.1], [-0.36, 0.36], [-1.1, 0.36], [-1.1, -0.36], [-0.36, -0.36]],
  star: regularPolygon(5, 1.45, 0, 0.62),
  hexagon: regularPolygon(6, 1.1, 0),
};
const SHAPE_ORDER = ["circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "star", "hexagon"];

function insidePolygon(poly, x, y) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i], [xj, yj] = poly[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function shapeMask(name, radius, dpr, opacity) {
  const poly = SHAPES[name];
  if (!poly) return diskMask(radius, dpr, opacity);
  const r = radius * dpr;
  const half = Math.ceil(1.5 * r + 0.5);
  const size = 2 * half + 1;
  const mask = new Float32Array(size * size);
  const samples = 4;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let hits = 0;
      for (let sj = 0; sj < samples; sj++) {
        for (let si = 0; si < samples; si++) {
          const x = (i - half - 0.5 + (si + 0.5) / samples) / r;
          const y = (j - half - 0.5 + (sj + 0.5) / samples) / r;
          if (insidePolygon(poly, x, y)) hits += 1;
        }
      }
      mask[j * size + i] = (hits / (samples * samples)) * opacity;
    }
  }
  return { mask, size, half };
}

function pointRadius(n) {
  return n <= 1500 ? 4 : n <= 6000 ? 3 : 2;
}

function ellipsePath(ctx, f, mu, cov, level) {
  // principal axes of the 2x2 covariance (closed form)
  const a = cov[0][0], b = cov[0][1], d = cov[1][1];
  const mean = (a + d) / 2, diff = (a - d) / 2;
  const root = Math.sqrt(diff * diff + b * b);
  const l1 = Math.max(mean + root, 0), l2 = Math.max(mean - root, 0);
  const angle = Math.atan2(l1 - a, b) || (a >= d ? 0 : Math.PI / 2);
  const theta = b === 0 ? (a >= d ? 0 : Math.PI / 2) : angle;
  ctx.beginPath();
  ctx.ellipse(f.px(mu[0]), f.py(mu[1]), (level * Math.sqrt(l1)) / f.s, (level * Math.sqrt(l2)) / f.s, -theta, 0, 2 * Math.PI);
}

function lerpCov(c0, c1, t) {
  return [[lerp(c0[0][0], c1[0][0], t), lerp(c0[0][1], c1[0][1], t)],
          [lerp(c0[1][0], c1[1][0], t), lerp(c0[1][1], c1[1][1], t)]];
}

function arrow(ctx, x0, y0, x1, y1, colour) {
  const len = Math.hypot(x1 - x0, y1 - y0);
  if (len < 6) return;
  const ux = (x1 - x0) / len, uy = (y1 - y0) / len;
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1 - ux * 9, y1 - uy * 9);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - ux * 12 - uy * 6, y1 - uy * 12 + ux * 6);
  ctx.lineTo(x1 - ux * 12 + uy * 6, y1 - uy * 12 - ux * 6);
  ctx.closePath();
  ctx.fill();
}

function drawAxes(ctx, f, w, h, titles) {
  ctx.save();
  ctx.strokeStyle = "#e6e6e6";
  ctx.lineWidth = 1;
  ctx.fillStyle = "#333";
  ctx.font = "14px system-ui, sans-serif";
  const xs = ticks(f.xr[0], f.xr[1], Math.max(3, Math.floor(f.pw / 90)));
  const ys = ticks(f.yr[0], f.yr[1], Math.max(3, Math.floor(f.ph / 70)));
  const xStep = xs.length > 1 ? xs[1] - xs[0] : 1, yStep = ys.length > 1 ? ys[1] - ys[0] : 1;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of xs) {
    const x = f.px(v);
    ctx.beginPath(); ctx.moveTo(x, f.m.t); ctx.lineTo(x, f.m.t + f.ph); ctx.stroke();
    ctx.fillText(tickText(v, xStep), x, f.m.t + f.ph + 5);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of ys) {
    const y = f.py(v);
    ctx.beginPath(); ctx.moveTo(f.m.l, y); ctx.lineTo(f.m.l + f.pw, y); ctx.stroke();
    ctx.fillText(tickText(v, yStep), f.m.l - 6, y);
  }
  ctx.restore();
}

function drawFrameBox(ctx, f, titles) {
  ctx.save();
  ctx.strokeStyle = "#888";
  ctx.lineWidth = 1;
  ctx.strokeRect(f.m.l, f.m.t, f.pw, f.ph);
  ctx.fillStyle = "#1a1a1a";
  ctx.font = "16px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText(titles[0], f.m.l + f.pw / 2, f.m.t + f.ph + 48);
  ctx.translate(16, f.m.t + f.ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText(titles[1], 0, 0);
  ctx.restore();
}

// ------------------------------------------------------------------------------------
// The stage
// ------------------------------------------------------------------------------------

class Stage {
  constructor(root) {
    this.root = root;
    this.cursor = 0;
    this.anim = null;
    this.playing = false;
    this.speed = "normal";
    this.zoomed = false; // the curve shows the last ZOOM_HALF_STEPS half-steps only
    this.reportTimer = null;
    this.reportSeq = 0;
    this.payload = null;
    this.panels = [];
    this.revealed = 0;
    this.listening = false;
    this.lastClicked = null;
    this.onKey = (event) => this.key(event);
    this.onKeyUp = (event) => {
      if (event.key === " " && this.accepts(event)) event.preventDefault();
    };
    this.build();
    root.stageLabels = (p = 0) => this.labels(p);
    root.stageDrawnIndex = () => Array.from(this.drawnIndex());
    // where the data point (x, y) is drawn in panel p, in page pixels (for tests and notes)
    root.stagePixel = (p, x, y) => {
      const view = this.views[p], f = view.frame, box = view.main.getBoundingClientRect();
      return [box.left + f.px(x) * f.zoom, box.top + f.py(y) * f.zoom];
    };
  }

  build() {
    const root = this.root;
    root.innerHTML = "";
    const bar = el("div", { class: "bar" }, root);
    const button = (label, cls, action) => {
      const b = el("button", { type: "button", class: cls, text: label }, bar);
      b.addEventListener("click", () => { this.lastClicked = b; action(); });
      return b;
    };
    this.btnE = button("E step", "step", () => this.stepKind("E"));
    this.btnM = button("M step", "step", () => this.stepKind("M"));
    this.btnBack = button("Step back", "", () => this.go(this.cursor - 1, true));
    this.btnRun = button("Run to convergence", "run", () => this.togglePlay());
    this.btnReset = button("Reset", "", () => this.go(0, true));
    this.buildFullscreen(bar);
    const speedLabel = el("label", { class: "small", text: "Speed" }, bar);
    this.speedSelect = el("select", { "aria-label": "Animation speed" }, speedLabel);
    for (const name of Object.keys(SPEEDS)) el("option", { value: name, text: name }, this.speedSelect);
    this.speedSelect.value = this.speed;
    this.speedSelect.addEventListener("change", () => { this.speed = this.speedSelect.value; });
    this.buildZoomToggle(bar);
    this.status = el("div", { class: "status", role: "status" }, root);
    const line = el("div", { class: "timeline" }, root);
    el("span", { text: "Timeline" }, line);
    this.slider = el("input", { type: "range", min: "0", max: "0", step: "1", value: "0", "aria-label": "Timeline (half-step)" }, line);
    this.sliderText = el("span", { text: "" }, line);
    line.appendChild(speedLabel); // the speed beside the timeline: the buttons keep one row
    this.slider.addEventListener("input", () => { this.stop(false); this.go(Number(this.slider.value), false); });
    this.panelBox = el("div", { class: "panels" }, root);
    this.keys = el("div", { class: "keys" }, root);
    this.keys.innerHTML = "<b>Keys</b>: <kbd>→</kbd> or <kbd>Space</kbd> next half-step · <kbd>←</kbd> back · " +
      "<kbd>Home</kbd> start · <kbd>R</kbd> run to convergence / stop";
    this.resizer = new ResizeObserver(() => {
      if (!this.watching && this.root.isConnected) this.watchPage();
      this.fit();
      this.draw();
    });
    this.resizer.observe(root);
    // the figure's fitted size outlives this element: a new run can mount a new one (a drag's
    // manual start draws its placement above the stage), on the same page, in the same window
    const fits = (window.__clusteringLabStageFits = window.__clusteringLabStageFits || {});
    this.remembered = fits[location.pathname] = fits[location.pathname] || {};
    // ...but only for the new run that the person's own touch just asked for, not on a later visit
    if (!(performance.now() - (this.remembered.touchedAt || -1e9) < STICKY_FIT_MS)) this.remembered.interacted = false;
    Object.defineProperty(this, "interacted", {
      get: () => Boolean(this.remembered.interacted),
      set: (value) => { this.remembered.interacted = value; },
    });
    Object.defineProperty(this, "fitKey", {
      get: () => this.remembered.fitKey,
      set: (value) => { this.remembered.fitKey = value; },
    });
    Object.defineProperty(this, "sticky", {
      get: () => this.remembered.sticky,
      set: (value) => { this.remembered.sticky = value; },
    });
    const interact = () => { this.interacted = true; this.remembered.touchedAt = performance.now(); };
    root.addEventListener("pointerdown", interact, true);
    root.addEventListener("keydown", interact, true);
    this.buildTouch(bar);
    this.watchPage();
  }

  // ---- fitting the screen ------------------------------------------------------------
  // The main canvas is as tall as the room left below its top in the first screen (so the
  // buttons, the whole figure and its numbers show without scrolling at 1280×720), at most
  // 0.74 of its width, at least MIN_HEIGHT. Presenter mode (options.present) and full screen
  // draw bigger (zoom) and, for one panel on a wide stage, put the curve, the numbers and the
  // keys hint beside the figure ("side").

  watchPage() {
    this.watching = true;
    this.refit = () => {
      if (!this.root.isConnected) { // this stage left the page: stop watching it
        window.removeEventListener("resize", this.refit);
        if (this.pageResizer) this.pageResizer.disconnect();
        this.watching = false; // back on the page, the stage's own resize watches again
        return;
      }
      if (this.fit()) this.draw();
    };
    window.addEventListener("resize", this.refit);
    const main = document.querySelector("[data-testid='stMainBlockContainer']");
    if (main) { // what is above the stage may grow or shrink (a message, a caption)
      this.pageResizer = new ResizeObserver(this.refit);
      this.pageResizer.observe(main);
    }
  }

  presenting() {
    return this.isFull() || !!(this.payload && (this.payload.options || {}).present);
  }

  isFull() {
    try { return this.root.matches(":fullscreen"); } catch (error) { return false; }
  }

  zoom() {
    if (this.isFull()) return Math.max(PRESENT_ZOOM, Math.min(2.2, window.innerHeight / 640));
    return this.presenting() ? PRESENT_ZOOM : 1;
  }

  // the distance from the top of the page (or of the full-screen stage) to node's top
  pageTop(node) {
    const top = node.getBoundingClientRect().top;
    if (this.isFull()) return top - this.root.getBoundingClientRect().top + this.root.scrollTop;
    let scroller = this.root;
    while (scroller) {
      scroller = scroller.parentElement || (scroller.getRootNode && scroller.getRootNode().host) || null;
      if (!scroller || scroller === document.documentElement) break;
      const overflow = getComputedStyle(scroller).overflowY;
      if ((overflow === "auto" || overflow === "scroll") && scroller.scrollHeight > scroller.clientHeight) {
        return top - scroller.getBoundingClientRect().top + scroller.scrollTop;
      }
    }
    return top + window.scrollY;
  }

  // sets each view's canvas heights; true when a height or the layout changed
  fit() {
    if (!this.views || !this.views.length) return false;
    const root = this.root;
    const present = this.presenting();
    const side = present && this.panels.length === 1 && root.clientWidth >= SIDE_MIN_WIDTH;
    const before = `${root.className}|${this.views.map((v) => `${v.fitH},${v.curveH}`).join(";")}`;
    root.classList.toggle("present", present);
    root.classList.toggle("multi", this.panels.length > 1);
    root.classList.toggle("side", side);
    // the keys hint stays in view while presenting: beside the figure, or above the figures
    if (side) {
      if (this.keys.parentNode !== this.views[0].box) this.views[0].box.appendChild(this.keys);
    } else if (present) {
      if (this.keys.nextSibling !== this.panelBox) root.insertBefore(this.keys, this.panelBox);
    } else if (root.lastChild !== this.keys) {
      root.appendChild(this.keys);
    }
    // Once the person works on the stage (a click, a key, a drag), the figure keeps its size
    // while the window and the mode stay the same: a message appearing above it, or a new run
    // after a drag or an edit, must not change the axes under their hands (equal scale: another
    // height would show other ranges).
    const key = `${window.innerWidth}x${window.innerHeight}|${present}|${this.isFull()}|${this.views.length}`;
    if (this.interacted && key === this.fitKey && this.sticky && this.sticky.length === this.views.length) {
      this.views.forEach((view, i) => { [view.fitH, view.curveH] = this.sticky[i]; });
      return before !== `${root.className}|${this.views.map((v) => `${v.fitH},${v.curveH}`).join(";")}`;
    }
    const viewport = this.isFull() ? root.clientHeight || window.innerHeight : window.innerHeight;
    for (const view of this.views) {
      const cssW = view.main.clientWidth || view.box.clientWidth || 600;
      const room = viewport - this.pageTop(view.main) - FIT_MARGIN;
      const ratio = Math.round(cssW * 0.74);
      view.fitH = room >= MIN_HEIGHT ? Math.min(ratio, Math.floor(room)) : Math.max(MIN_HEIGHT, Math.min(ratio, 560));
      view.curveH = 210;
      if (side) {
        const used = this.pageTop(view.curve) - this.pageTop(view.main) + this.keys.offsetHeight + 12;
        view.curveH = Math.max(180, Math.min(320, view.fitH - used));
      }
    }
    this.fitKey = key;
    this.sticky = this.views.map((v) => [v.fitH, v.curveH]);
    return before !== `${root.className}|${this.views.map((v) => `${v.fitH},${v.curveH}`).join(";")}`;
  }

  buildFullscreen(bar) {
    if (!this.root.requestFullscreen) return;
    const b = el("button", { type: "button", class: "full", "aria-label": "Full screen", title: "Full screen (Esc leaves it)" }, bar);
    b.innerHTML = FULL_ICON;
    b.addEventListener("click", () => {
      if (this.isFull()) document.exitFullscreen();
      else this.root.requestFullscreen().catch(() => {});
    });
    this.btnFull = b;
    document.addEventListener("fullscreenchange", () => {
      const full = this.isFull();
      b.setAttribute("aria-label", full ? "Leave full screen" : "Full screen");
      b.title = full ? "Leave full screen (Esc)" : "Full screen (Esc leaves it)";
      this.fit();
      this.draw();
    });
  }

  // the key numbers of the half-step on screen, per panel: J, or ℓ and 𝓛 (as the page's metrics)
  updateReadouts() {
    if (!this.views) return;
    this.panels.forEach((panel, index) => {
      const view = this.views[index];
      if (!view || !view.readout) return;
      const i = panel.at(this.cursor);
      const names = panel.curveNames();
      const html = names.map((name) => {
        const symbol = name === "J" ? "J" : name === "ll" ? "ℓ" : "𝓛";
        return `<span class="number" data-name="${name}">${symbol} = <b>${fmtSig(panel.spec.curves[name][i], 6)}</b></span>`;
      }).join(" ");
      if (view.readoutHtml !== html) { view.readout.innerHTML = html; view.readoutHtml = html; }
    });
  }

  buildZoomToggle(bar) {
    // late changes of ℓ (or J) are tiny next to the first ones: on fixed axes they look flat
    const label = el("label", { class: "small zoom",
      title: `The curve shows the last ${ZOOM_HALF_STEPS} half-steps up to the one on screen, its axis fitted to them` }, bar);
    this.zoomBox = el("input", { type: "checkbox", "aria-label": `Zoom the curve to the last ${ZOOM_HALF_STEPS} half-steps` }, label);
    el("span", { text: `Zoom curve: last ${ZOOM_HALF_STEPS}` }, label);
    this.zoomBox.addEventListener("change", () => { this.zoomed = this.zoomBox.checked; this.draw(); });
  }

  curveWindow(panel, at) {
    // [first, last] half-steps the curve spans: all of them, or (zoomed) the last
    // ZOOM_HALF_STEPS up to the half-step on screen (from the start while fewer are reached)
    const end = panel.length - 1;
    if (!this.zoomed || end <= ZOOM_HALF_STEPS) return [0, end];
    const last = Math.min(end, Math.max(ZOOM_HALF_STEPS, Math.ceil(at)));
    return [last - ZOOM_HALF_STEPS, last];
  }

  // ---- data from Python ------------------------------------------------------------
  receive(data, setStateValue, setTriggerValue) {
    this.setStateValue = setStateValue;
    this.setTriggerValue = setTriggerValue;
    if (!data) return;
    if (!this.payload || this.payload.id !== data.id) {
      this.load(data);
    } else {
      this.payload = { ...data, panels: this.payload.panels }; // only the options changed: keep the cursor
      this.pending = []; // an edit the server refused (its message is on the page) leaves no mark
      this.applyOptions();
      this.fit();
      this.draw();
    }
  }

  load(data) {
    this.stop(false);
    this.anim = null;
    // the run's half-steps come as JSON text (made once per run on the server)
    const specs = typeof data.panels === "string" ? JSON.parse(data.panels) : data.panels;
    this.payload = { ...data, panels: specs };
    const pts = data.points;
    this.points = { n: pts.n, xy: decode(pts.xy, Float64Array), index: pts.index ? decode(pts.index, Int32Array) : null };
    this.panels = specs.map((spec) => new Panel(spec, this.points, data.colours, data.unassigned));
    this.pending = [];
    this.length = Math.max(...this.panels.map((p) => p.length));
    this.last = this.length - 1;
    this.cursor = Math.max(0, Math.min(data.start, this.last));
    this.revealed = this.cursor;
    this.lastReported = this.cursor;
    this.slider.max = String(this.last);
    this.root.dataset.run = data.id;
    this.buildPanels();
    this.applyOptions();
    this.root.dataset.cursor = String(this.cursor);
    this.fit();
    this.draw();
    this.updateControls();
    if (!this.root.dataset.readyAt) this.root.dataset.readyAt = String(Math.round(performance.now()));
    this.root.dataset.ready = "1";
  }

  applyOptions() {
    const o = this.payload.options || {};
    for (const p of this.panels) p.mode = o.colour_mode === "likely" ? "likely" : "blend";
  }

  buildPanels() {
    this.panelBox.innerHTML = "";
    this.views = this.panels.map((panel, index) => {
      const box = el("div", { class: "panel" }, this.panelBox);
      if (panel.spec.title) el("h2", { text: panel.spec.title }, box);
      const readout = el("div", { class: "readout", "data-panel": String(index) }, box);
      const main = el("canvas", { class: "main", "data-panel": String(index), role: "img", "aria-label": "" }, box);
      const curve = el("canvas", { class: "curve" }, box);
      main.addEventListener("click", (event) => this.pick(index, event));
      this.touchPanel(main, index);
      return { box, main, curve, readout, frame: null };
    });
  }

  drawnIndex() {
    const n = this.points.n;
    return this.points.index || Int32Array.from({ length: n }, (_, i) => i);
  }

  // labels (K-means) or argmax gamma (EM) of the drawn points at the half-step on screen
  labels(p) {
    const panel = this.panels[p];
    const hit = panel.assignment(panel.eIndex(this.cursor));
    return hit ? Array.from(hit.labels) : null;
  }

  // ---- moving the cursor -----------------------------------------------------------
  nextKind() {
    if (this.cursor >= this.last) return null;
    return (this.cursor + 1) % 2 === 1 ? "E" : "M";
  }

  stepKind(kind) {
    if (this.playing || this.nextKind() !== kind) return;
    this.go(this.cursor + 1, true);
  }

  go(target, animate) {
    target = Math.max(0, Math.min(target, this.last));
    if (target === this.cursor && !this.anim) { this.updateControls(); return; }
    const from = this.anim ? this.anim.to : this.cursor;
    const duration = animate ? SPEEDS[this.speed] : 0;
    this.cursor = target;
    this.revealed = Math.max(this.revealed, target);
    this.root.dataset.cursor = String(target);
    if (duration > 0 && from !== target) {
      this.anim = { from, to: target, t0: performance.now(), duration };
      this.drawAt(from, target, 0.04);
      if (!this.frameRequested) this.tick();
    } else {
      this.anim = null;
      this.drawAt(target, target, 1);
    }
    this.updateControls();
    if (!this.playing) this.scheduleReport();
  }

  tick() {
    this.frameRequested = true;
    requestAnimationFrame((now) => {
      this.frameRequested = false;
      const a = this.anim;
      if (!a) return;
      const t = Math.min(1, (now - a.t0) / a.duration);
      if (t >= 1) {
        this.anim = null;
        this.drawAt(a.to, a.to, 1);
        if (this.playing) this.playNext(HOLD * SPEEDS[this.speed]);
        return;
      }
      this.drawAt(a.from, a.to, ease(t));
      this.tick();
    });
  }

  togglePlay() {
    if (this.playing) this.stop(true);
    else this.play();
  }

  play() {
    if (this.cursor >= this.last) return;
    if (this.speed === "instant") {
      this.go(this.last, false);
      this.report();
      return;
    }
    this.playing = true;
    this.updateControls();
    this.playNext(0);
  }

  playNext(delay) {
    clearTimeout(this.playTimer);
    this.playTimer = setTimeout(() => {
      if (!this.playing) return;
      if (this.cursor >= this.last) { this.stop(true); return; }
      this.go(this.cursor + 1, true);
      if (this.speed === "instant") this.playNext(0);
    }, delay);
  }

  stop(report) {
    const was = this.playing;
    this.playing = false;
    clearTimeout(this.playTimer);
    if (was) {
      this.updateControls();
      if (report) this.report();
    }
  }

  scheduleReport() {
    clearTimeout(this.reportTimer);
    this.reportTimer = setTimeout(() => this.report(), REPORT_DELAY);
  }

  report() {
    clearTimeout(this.reportTimer);
    if (!this.setStateValue || !this.payload) return;
    this.reportSeq += 1;
    this.lastReported = this.cursor;
    this.setStateValue("cursor", { index: this.cursor, run: this.payload.id, seq: this.reportSeq });
  }

  pick(p, event) {
    if (this.touchClick(p, event)) return; // "Add points" mode, or the end of a drag
    const view = this.views[p];
    const f = view.frame;
    if (!f || !this.setTriggerValue) return;
    const rect = view.main.getBoundingClientRect();
    const mx = (event.clientX - rect.left) / f.zoom, my = (event.clientY - rect.top) / f.zoom;
    const { xy, n } = this.points;
    let best = -1, bestD = 14 * 14;
    for (let i = 0; i < n; i++) {
      const dx = f.px(xy[2 * i]) - mx, dy = f.py(xy[2 * i + 1]) - my;
      const d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    if (best < 0) return;
    const index = this.points.index ? this.points.index[best] : best;
    this.picked = index;
    this.draw();
    this.setTriggerValue("picked", index);
  }

  // ---- the keyboard ----------------------------------------------------------------
  accepts(event) {
    if (!this.root.isConnected || event.ctrlKey || event.metaKey || event.altKey) return false;
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    if (target === this.slider) return true;
    if (!target || !target.tagName) return true;
    const tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable) return false;
    if (tag === "INPUT") {
      const type = (target.getAttribute("type") || "text").toLowerCase();
      if (!["checkbox", "radio", "button", "submit", "range", "color", "file"].includes(type)) return false;
    }
    if (target.getAttribute && target.getAttribute("role") === "slider") return false;
    if (target.closest && target.closest("[role='listbox'],[role='combobox']")) return false;
    return true;
  }

  key(event) {
    if (!this.root.isConnected) { this.unlisten(); return; }
    if (!this.payload || !this.accepts(event)) return;
    this.interacted = true;
    const k = event.key;
    if (k === "ArrowRight" || k === " " || k === "Spacebar") {
      event.preventDefault();
      if (!this.playing && this.cursor < this.last) this.go(this.cursor + 1, true);
    } else if (k === "ArrowLeft") {
      event.preventDefault();
      if (!this.playing) this.go(this.cursor - 1, true);
    } else if (k === "Home") {
      event.preventDefault();
      this.stop(false);
      this.go(0, true);
    } else if (k === "r" || k === "R") {
      event.preventDefault();
      this.togglePlay();
    }
  }

  listen() {
    if (this.listening) return;
    document.addEventListener("keydown", this.onKey);
    document.addEventListener("keyup", this.onKeyUp);
    this.listening = true;
  }

  unlisten() {
    document.removeEventListener("keydown", this.onKey);
    document.removeEventListener("keyup", this.onKeyUp);
    this.listening = false;
  }

  // ---- controls and status -----------------------------------------------------------
  updateControls() {
    // DOM writes only where something changed: each write can make the browser lay the page
    // out again before the next frame
    const set = (node, name, value) => { if (node[name] !== value) node[name] = value; };
    const next = this.nextKind();
    const playing = this.playing;
    set(this.btnE, "disabled", playing || next !== "E");
    set(this.btnM, "disabled", playing || next !== "M");
    if (this.btnE.classList.contains("primary") !== (next === "E" && !playing)) this.btnE.classList.toggle("primary");
    if (this.btnM.classList.contains("primary") !== (next === "M" && !playing)) this.btnM.classList.toggle("primary");
    set(this.btnBack, "disabled", playing || this.cursor === 0);
    set(this.btnReset, "disabled", playing || this.cursor === 0);
    set(this.btnRun, "textContent", playing ? "Stop" : "Run to convergence");
    set(this.btnRun, "disabled", !playing && this.cursor >= this.last);
    set(this.slider, "value", String(this.cursor));
    set(this.slider, "disabled", playing);
    set(this.sliderText, "textContent", `half-step ${this.cursor} of ${this.last}`);
    this.updateTouch();
    this.updateReadouts();
    const probe = document.createElement("div");
    probe.className = "status";
    const html = this.statusText(probe);
    set(this.status, "className", probe.className);
    if (this.statusHtml !== html) { this.status.innerHTML = html; this.statusHtml = html; }
    this.describe();
    // keep the focus on a visible control when the pressed button is now disabled
    const active = this.root.getRootNode().activeElement;
    if (this.lastClicked && (active === this.lastClicked || !active || active === document.body) && this.lastClicked.disabled) {
      const fallback = [this.btnE, this.btnM, this.btnRun, this.btnBack].find((b) => !b.disabled);
      (fallback || this.root).focus({ preventScroll: true });
    }
  }

  // ---- the text alternative: what each panel's figure shows at the half-step on screen ----
  description(panel) {
    const i = panel.at(this.cursor);
    const kind = panel.kinds[i];
    const name = panel.alg === "kmeans" ? "K-means" : "EM";
    const what = kind === "E" ? `after the E step of iteration ${panel.spec.iterations[i] + 1}`
      : kind === "M" ? `after the M step of iteration ${panel.spec.iterations[i]}` : "the start";
    const counts = new Array(panel.k).fill(0);
    const hit = panel.assignment(panel.eIndex(i));
    const sample = this.points.index ? ` (a sample of ${this.points.n.toLocaleString("en-US")} points)` : "";
    let sentence = `${name}, half-step ${i} of ${this.last} (${what}): `;
    const centres = panel.alg === "kmeans" ? "centroids" : "components";
    if (hit) {
      for (const label of hit.labels) counts[label] += 1;
      const sizes = counts.map((c) => c.toLocaleString("en-US")).join(", ");
      sentence += panel.alg === "kmeans" ? `${panel.k} clusters of ${sizes} points${sample}`
        : `${panel.k} components, most responsible for ${sizes} points${sample}`;
    } else {
      sentence += `${this.points.n.toLocaleString("en-US")} points${sample} not yet assigned, ${panel.k} ${centres} placed`;
    }
    if (panel.alg === "kmeans") {
      const J = panel.spec.curves.J[i];
      if (J !== null && J !== undefined) sentence += `; J = ${fmt(J)}`;
    } else {
      const p = panel.spec.params[i];
      sentence += `; weights π = ${p.w.map((w) => fmt(Number(w.toPrecision(2)))).join(", ")}`;
      const ll = panel.spec.curves.ll[i];
      if (ll !== null && ll !== undefined) sentence += `; log-likelihood ℓ = ${fmt(ll)}`;
    }
    return sentence + ".";
  }

  describe() {
    if (!this.views) return;
    this.panels.forEach((panel, index) => {
      const canvas = this.views[index] && this.views[index].main;
      if (!canvas) return;
      const text = this.description(panel);
      if (canvas.getAttribute("aria-label") !== text) canvas.setAttribute("aria-label", text);
    });
  }

  statusText(target) {
    const next = this.nextKind();
    if (next) {
      const name = next === "E" ? "E step" : "M step";
      const hint = (this.payload.hints || {})[next] || "";
      return `<b>Next: ${name}.</b> ${escapeHtml(hint)}`;
    }
    const parts = this.panels.map((p) => {
      const who = this.panels.length > 1 ? `${p.spec.title || p.alg}: ` : "";
      const iters = p.spec.iterations[p.length - 1];
      const reason = p.spec.stop_reason;
      if (reason === "converged") {
        const why = p.alg === "kmeans" ? "the last step changed nothing"
          : `the last iteration raised the log-likelihood by less than tol = ${p.spec.tol}`;
        target.classList.add("done");
        return `✅ ${who}<b>Converged after ${iters} iterations</b>: ${why}.`;
      }
      if (reason === "max_iter") return `⏹ ${who}Stopped at the cap of ${p.spec.max_iter} iterations before convergence.`;
      if (reason) { target.classList.add("stop"); return `⚠️ ${escapeHtml(who)}${escapeHtml(reason)}`; }
      return `${who}end of the run.`;
    });
    return parts.join(" ") + " Step back, or Reset to start again.";
  }

  // ---- touching the data: drag the start, add and remove points ---------------------
  // At half-step 0 a centroid (K-means) or mean (EM) can be dragged: the points recolour live
  // to the assignment the next E step would make (and the Voronoi regions follow); on release
  // the stage sends the new start ("start"), and the page makes it its manual start. In "Add
  // points" mode a click adds a point ("edit", op add) and a shift-click removes the nearest
  // drawn point (op remove). Positions stay inside the axes' ranges: the axes never move.
  buildTouch(bar) {
    this.addMode = false;
    this.drag = null;
    this.pending = [];
    const row = el("div", { class: "touch-row" }); // the hint, under the figure
    this.root.insertBefore(row, this.keys);
    this.btnAdd = el("button", { type: "button", class: "touch", "aria-pressed": "false",
      title: "Click on the figure to add a point; Shift-click removes the nearest point." }, bar);
    this.btnAdd.textContent = "Add points";
    this.btnAdd.addEventListener("click", () => this.setAddMode(!this.addMode));
    this.touchHint = el("div", { class: "touch-hint", "aria-live": "polite" }, row);
    this.root.stageCentres = (p = 0) => this.centresOnScreen(p);
    this.root.stageDataAt = (p, clientX, clientY) => this.dataAt(p, clientX, clientY, false);
  }

  touchAllowed(kind) {
    const touch = (this.payload && this.payload.touch) || {};
    return kind === "drag" ? Boolean(touch.drag) : touch.edit !== false;
  }

  setAddMode(on) {
    this.addMode = Boolean(on) && this.touchAllowed("edit");
    this.btnAdd.setAttribute("aria-pressed", this.addMode ? "true" : "false");
    this.btnAdd.classList.toggle("on", this.addMode);
    this.root.dataset.addMode = this.addMode ? "1" : "0";
    for (const view of this.views || []) view.main.style.cursor = this.addMode ? "crosshair" : "";
    this.updateTouch();
  }

  updateTouch() {
    if (!this.touchHint || !this.payload) return;
    this.btnAdd.hidden = !this.touchAllowed("edit");
    let text = "";
    if (this.addMode) {
      text = "<b>Adding points</b>: click on the figure to add a point there, Shift-click to remove " +
        "the nearest one. The run starts again on the edited points. Click <b>Add points</b> again to stop.";
    } else if (this.touchAllowed("drag") && this.cursor === 0 && !this.playing) {
      const what = this.panels.some((p) => p.alg === "kmeans") ? "centroid" : "mean";
      text = `Drag a ${what} to move the start: the points take the colour of their nearest ${what} ` +
        "as you drag, and the run starts from where you let go.";
    }
    if (this.touchHtml !== text) { this.touchHint.innerHTML = text; this.touchHtml = text; }
  }

  centresOnScreen(p) {
    const panel = this.panels[p];
    if (!panel) return null;
    const live = this.cursor === 0 ? panel.live : null;
    return (live ? live.centres : panel.centres(this.cursor)).map((c) => [c[0], c[1]]);
  }

  // the data point under a pointer position (null outside the plot, or clamped to its edge):
  // always inside the axes on screen, so that no edit makes them move
  dataAt(p, clientX, clientY, clamp) {
    const view = this.views && this.views[p];
    const f = view && view.frame;
    if (!f) return null;
    const rect = view.main.getBoundingClientRect();
    const zoom = f.zoom || 1; // presenter mode and full screen draw bigger
    let mx = (clientX - rect.left) / zoom, my = (clientY - rect.top) / zoom;
    if (!clamp && (mx < f.m.l || mx > f.m.l + f.pw || my < f.m.t || my > f.m.t + f.ph)) return null;
    mx = Math.max(f.m.l, Math.min(f.m.l + f.pw, mx));
    my = Math.max(f.m.t, Math.min(f.m.t + f.ph, my));
    return [f.xr[0] + (mx - f.m.l) * f.s, f.yr[1] - (my - f.m.t) * f.s];
  }

  nearestCentre(p, event) {
    const view = this.views[p], f = view.frame;
    if (!f) return -1;
    const rect = view.main.getBoundingClientRect();
    const zoom = f.zoom || 1;
    const mx = (event.clientX - rect.left) / zoom, my = (event.clientY - rect.top) / zoom;
    let best = -1, bestD = 18 * 18;
    this.panels[p].centres(0).forEach((c, k) => {
      const dx = f.px(c[0]) - mx, dy = f.py(c[1]) - my;
      if (dx * dx + dy * dy < bestD) { bestD = dx * dx + dy * dy; best = k; }
    });
    return best;
  }

  canDrag() {
    return this.touchAllowed("drag") && this.cursor === 0 && !this.playing && !this.anim && !this.addMode;
  }

  touchPanel(main, p) {
    main.style.cursor = this.addMode ? "crosshair" : "";
    main.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || !this.canDrag()) return;
      const k = this.nearestCentre(p, event);
      if (k < 0) return;
      event.preventDefault();
      main.setPointerCapture(event.pointerId);
      const starts = this.panels.map((panel) => panel.centres(0).map((c) => [c[0], c[1]]));
      this.drag = { p, k, starts, moved: false, pointer: event.pointerId };
      this.root.dataset.dragging = "1";
      main.style.cursor = "grabbing";
    });
    main.addEventListener("pointermove", (event) => {
      const drag = this.drag;
      if (!drag) {
        if (!this.addMode) main.style.cursor = this.canDrag() && this.nearestCentre(p, event) >= 0 ? "grab" : "";
        return;
      }
      const at = this.dataAt(p, event.clientX, event.clientY, true);
      if (!at) return;
      drag.moved = true;
      this.panels.forEach((panel, q) => {
        if (panel.k !== this.panels[drag.p].k) return; // Compare: both runs share the start
        const centres = drag.starts[q].map((c, j) => (j === drag.k ? at : c));
        panel.live = panel.liveStart(centres);
      });
      this.draw();
    });
    const end = (event, cancel) => {
      const drag = this.drag;
      if (!drag || event.pointerId !== drag.pointer) return;
      this.drag = null;
      delete this.root.dataset.dragging;
      main.style.cursor = "";
      this.suppressClick = drag.moved;
      if (!drag.moved || cancel || !this.setTriggerValue) {
        for (const panel of this.panels) panel.live = null;
        this.draw();
        return;
      }
      const centres = this.panels[drag.p].live.centres;
      this.root.dataset.dragged = String((Number(this.root.dataset.dragged) || 0) + 1);
      this.setTriggerValue("start", { run: this.payload.id, centres, k: drag.k });
      this.updateTouch(); // the dragged start stays drawn until the new run arrives
    };
    main.addEventListener("pointerup", (event) => end(event, false));
    main.addEventListener("pointercancel", (event) => end(event, true));
  }

  // a click on the figure: in "Add points" mode an edit; true when it was used (no pick)
  touchClick(p, event) {
    if (this.suppressClick) { this.suppressClick = false; return true; }
    if (!this.addMode) return false;
    if (!this.setTriggerValue || !this.payload) return true;
    if (event.shiftKey) {
      const view = this.views[p], f = view.frame;
      const rect = view.main.getBoundingClientRect();
      const zoom = f.zoom || 1;
      const mx = (event.clientX - rect.left) / zoom, my = (event.clientY - rect.top) / zoom;
      const { xy, n } = this.points;
      let best = -1, bestD = Infinity;
      for (let i = 0; i < n; i++) {
        const dx = f.px(xy[2 * i]) - mx, dy = f.py(xy[2 * i + 1]) - my;
        if (dx * dx + dy * dy < bestD) { bestD = dx * dx + dy * dy; best = i; }
      }
      if (best < 0) return true;
      const index = this.points.index ? this.points.index[best] : best;
      this.pending.push({ remove: [xy[2 * best], xy[2 * best + 1]] });
      this.setTriggerValue("edit", { run: this.payload.id, op: "remove", index });
    } else {
      const at = this.dataAt(p, event.clientX, event.clientY, false);
      if (!at) return true;
      this.pending.push({ add: at });
      this.setTriggerValue("edit", { run: this.payload.id, op: "add", x: at[0], y: at[1] });
    }
    this.root.dataset.edits = String((Number(this.root.dataset.edits) || 0) + 1);
    this.draw();
    return true;
  }

  // the points added by hand (the last ones of X) wear a square frame; an edit sent whose new points
  // are not here yet: a ring where a point is added, a cross where one is removed
  drawPending(ctx, f) {
    const added = ((this.payload && this.payload.touch) || {}).added || 0;
    if (added > 0) {
      const { xy, n, index } = this.points, first = this.payload.points.total - added;
      ctx.save();
      ctx.strokeStyle = OUTLINE;
      ctx.lineWidth = 1.5;
      for (let i = 0; i < n; i++) {
        if ((index ? index[i] : i) < first) continue;
        const r = pointRadius(n) + 3; // a square frame: rings already mean "changed cluster"
        ctx.strokeRect(f.px(xy[2 * i]) - r, f.py(xy[2 * i + 1]) - r, 2 * r, 2 * r);
      }
      ctx.restore();
    }
    if (!this.pending || !this.pending.length) return;
    ctx.save();
    ctx.strokeStyle = OUTLINE;
    ctx.lineWidth = 2;
    for (const edit of this.pending) {
      const [x, y] = edit.add || edit.remove;
      ctx.beginPath();
      if (edit.add) ctx.arc(f.px(x), f.py(y), 6, 0, 2 * Math.PI);
      else { ctx.moveTo(f.px(x) - 6, f.py(y) - 6); ctx.lineTo(f.px(x) + 6, f.py(y) + 6); ctx.moveTo(f.px(x) + 6, f.py(y) - 6); ctx.lineTo(f.px(x) - 6, f.py(y) + 6); }
      ctx.stroke();
    }
    ctx.restore();
  }

  drawLiveEllipses(ctx, f, params, options) {
    const levels = options.levels || [1, 2];
    const colours = this.payload.colours;
    for (const level of levels) {
      ctx.save();
      ctx.lineWidth = level === 1 ? 3.5 : level === 2 ? 2.5 : 1.6;
      params.mu.forEach((mu, k) => {
        ctx.strokeStyle = colours[k % colours.length];
        ellipsePath(ctx, f, mu, params.cov[k], level);
        ctx.stroke();
      });
      ctx.restore();
    }
  }

  // ---- drawing ---------------------------------------------------------------------
  draw() {
    if (!this.payload) return;
    if (this.anim) return; // the animation loop draws
    this.drawAt(this.cursor, this.cursor, 1);
  }

  drawAt(from, to, t) {
    this.panels.forEach((panel, index) => {
      this.drawPanel(panel, this.views[index], from, to, t);
      this.drawCurve(panel, this.views[index], lerp(from, to, t));
    });
  }

  drawPanel(panel, view, from, to, t) {
    const cssW = view.main.clientWidth || view.box.clientWidth || 600;
    const cssH = view.fitH || Math.max(300, Math.min(560, Math.round(cssW * 0.74)));
    const zoom = this.zoom();
    const { ctx, dpr, w, h } = sizeCanvas(view.main, cssW, cssH, zoom);
    const data = this.payload;
    const f = frameOf(w, h, data.x_range, data.y_range);
    f.zoom = zoom; // page pixels = f.px(x) * f.zoom (presenter mode and full screen draw bigger)
    view.frame = f;
    const a = panel.at(from), b = panel.at(to);
    const options = data.options || {};
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, w, h);

    // parameters in motion
    const ca = panel.centres(a), cb = panel.centres(b);
    let centres = cb.map((c, k) => [lerp(ca[k][0], c[0], t), lerp(ca[k][1], c[1], t)]);
    const live = b === 0 ? panel.live : null; // a start being dragged
    if (live) centres = live.centres;

    if (panel.alg === "kmeans" && options.regions) this.drawRegions(ctx, f, panel, centres, dpr);
    if (panel.alg === "gmm" && options.density && !live) this.drawDensity(ctx, f, panel, a, b, t);
    drawAxes(ctx, f, w, h, data.axis_titles);

    // points: colours fade from the assignment at `from` to the one at `to`
    const ea = panel.eIndex(a), eb = panel.eIndex(b);
    let A = panel.assignment(ea), B = panel.assignment(eb);
    if (live) { B = panel.liveAssignment(live); A = B; }
    this.stampPoints(ctx, f, dpr, A, B, ea === eb || live ? 1 : t, panel);

    // K-means: the points that changed cluster in this E step (rings)
    if (panel.alg === "kmeans" && panel.kinds[b] === "E" && b >= 3 && this.points.n <= 5000) {
      const before = panel.assignment(panel.eIndex(b - 2));
      if (before && B) {
        ctx.save();
        ctx.globalAlpha = 0.55 * t;
        ctx.strokeStyle = OUTLINE;
        ctx.lineWidth = 1.5;
        const r = pointRadius(this.points.n) + 3;
        const { xy, n } = this.points;
        for (let i = 0; i < n; i++) {
          if (before.labels[i] !== B.labels[i]) {
            ctx.beginPath();
            ctx.arc(f.px(xy[2 * i]), f.py(xy[2 * i + 1]), r, 0, 2 * Math.PI);
            ctx.stroke();
          }
        }
        ctx.restore();
      }
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(f.m.l, f.m.t, f.pw, f.ph);
    ctx.clip();
    if (panel.alg === "gmm" && live) this.drawLiveEllipses(ctx, f, live.params, options);
    else if (panel.alg === "gmm") this.drawEllipses(ctx, f, panel, a, b, t, options);
    else this.drawTrails(ctx, f, panel, b, centres);
    // after an M step: where the centres were, and their move
    if (panel.kinds[b] === "M" && b > 0) {
      const before = panel.centres(b - 1);
      ctx.save();
      ctx.globalAlpha = panel.kinds[a] === "M" && a === b ? 1 : Math.max(t, 0.15);
      before.forEach((c, k) => {
        const colour = data.colours[k % data.colours.length];
        ctx.strokeStyle = colour;
        ctx.lineWidth = 2;
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.arc(f.px(c[0]), f.py(c[1]), 9, 0, 2 * Math.PI);
        ctx.stroke();
        ctx.setLineDash([]);
        arrow(ctx, f.px(c[0]), f.py(c[1]), f.px(centres[k][0]), f.py(centres[k][1]), OUTLINE);
      });
      ctx.restore();
    }
    this.drawPicked(ctx, f);
    this.drawPending(ctx, f);
    ctx.restore();
    this.drawCentres(ctx, f, panel, centres);
    drawFrameBox(ctx, f, data.axis_titles);
  }

  drawPicked(ctx, f) {
    const chosen = this.picked !== undefined && this.picked !== null ? this.picked : (this.payload.options || {}).selected;
    if (chosen === undefined || chosen === null) return;
    let i = chosen;
    if (this.points.index) {
      i = this.points.index.indexOf(chosen);
      if (i < 0) return;
    }
    if (i >= this.points.n) return;
    const { xy } = this.points;
    ctx.save();
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.arc(f.px(xy[2 * i]), f.py(xy[2 * i + 1]), pointRadius(this.points.n) + 5, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();
  }

  stampPoints(ctx, f, dpr, A, B, t, panel) {
    const { xy, n } = this.points;
    const x0 = Math.round(f.m.l * dpr), y0 = Math.round(f.m.t * dpr);
    const W = Math.round(f.pw * dpr), H = Math.round(f.ph * dpr);
    if (W <= 0 || H <= 0) return;
    const image = ctx.getImageData(x0, y0, W, H);
    const buf = image.data;
    const radius = pointRadius(n);
    const opacity = n <= 1500 ? 0.92 : n <= 6000 ? 0.8 : 0.7;
    const key = `${radius}|${dpr}|${opacity}`;
    if (this.maskKey !== key) {
      this.maskKey = key;
      this.mask = diskMask(radius, dpr, opacity);
      this.shapeMasks = SHAPE_ORDER.map((name) => shapeMask(name, radius, dpr, opacity));
    }
    // a point's shape is its cluster's (the assignment being drawn); grey disks before any
    const shapeOf = B ? B.labels : A ? A.labels : null;
    const grey = panel.grey;
    const ca = A ? A.rgb : null, cb = B ? B.rgb : null;
    const s = f.s / dpr;
    const left = f.xr[0], top = f.yr[1];
    for (let i = 0; i < n; i++) {
      let r, g, b;
      if (t >= 1) {
        if (cb) { r = cb[3 * i]; g = cb[3 * i + 1]; b = cb[3 * i + 2]; } else { [r, g, b] = grey; }
      } else {
        const r0 = ca ? ca[3 * i] : grey[0], g0 = ca ? ca[3 * i + 1] : grey[1], b0 = ca ? ca[3 * i + 2] : grey[2];
        const r1 = cb ? cb[3 * i] : grey[0], g1 = cb ? cb[3 * i + 1] : grey[1], b1 = cb ? cb[3 * i + 2] : grey[2];
        r = r0 + (r1 - r0) * t; g = g0 + (g1 - g0) * t; b = b0 + (b1 - b0) * t;
      }
      const cx = Math.round((xy[2 * i] - left) / s), cy = Math.round((top - xy[2 * i + 1]) / s);
      const { mask, size, half } = shapeOf ? this.shapeMasks[shapeOf[i] % this.shapeMasks.length] : this.mask;
      for (let j = 0; j < size; j++) {
        const yy = cy + j - half;
        if (yy < 0 || yy >= H) continue;
        const row = yy * W;
        for (let q = 0; q < size; q++) {
          const alpha = mask[j * size + q];
          if (alpha === 0) continue;
          const xx = cx + q - half;
          if (xx < 0 || xx >= W) continue;
          const o = (row + xx) * 4;
          buf[o] += (r - buf[o]) * alpha;
          buf[o + 1] += (g - buf[o + 1]) * alpha;
          buf[o + 2] += (b - buf[o + 2]) * alpha;
        }
      }
    }
    ctx.putImageData(image, x0, y0);
  }

  drawRegions(ctx, f, panel, centres, dpr) {
    const cell = 4;
    const cols = Math.ceil(f.pw / cell), rows = Math.ceil(f.ph / cell);
    const palette = panel.palette;
    ctx.save();
    ctx.globalAlpha = 0.16;
    for (let j = 0; j < rows; j++) {
      const y = f.yr[1] - (j + 0.5) * cell * f.s;
      for (let i = 0; i < cols; i++) {
        const x = f.xr[0] + (i + 0.5) * cell * f.s;
        let best = 0, bestD = Infinity;
        for (let k = 0; k < centres.length; k++) {
          const dx = x - centres[k][0], dy = y - centres[k][1];
          const d = dx * dx + dy * dy;
          if (d < bestD) { bestD = d; best = k; }
        }
        const c = palette[best % palette.length];
        ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
        ctx.fillRect(f.m.l + i * cell, f.m.t + j * cell, cell, cell);
      }
    }
    ctx.restore();
  }

  // contour lines of the mixture density p(x), evenly spaced in log p, at the moving parameters
  drawDensity(ctx, f, panel, a, b, t) {
    const pa = panel.spec.params[a], pb = panel.spec.params[b];
    const K = panel.k;
    const comps = [];
    for (let k = 0; k < K; k++) {
      const cov = lerpCov(pa.cov[k], pb.cov[k], t);
      const det = cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0];
      if (!(det > 0)) return;
      comps.push({
        w: lerp(pa.w[k], pb.w[k], t),
        mu: [lerp(pa.mu[k][0], pb.mu[k][0], t), lerp(pa.mu[k][1], pb.mu[k][1], t)],
        inv: [cov[1][1] / det, -cov[0][1] / det, cov[0][0] / det],
        norm: 1 / (2 * Math.PI * Math.sqrt(det)),
      });
    }
    const cell = 3;
    const cols = Math.ceil(f.pw / cell), rows = Math.ceil(f.ph / cell);
    const level = new Int16Array(cols * rows);
    let top = -Infinity;
    const logp = new Float64Array(cols * rows);
    for (let j = 0; j < rows; j++) {
      const y = f.yr[1] - (j + 0.5) * cell * f.s;
      for (let i = 0; i < cols; i++) {
        const x = f.xr[0] + (i + 0.5) * cell * f.s;
        let p = 0;
        for (const c of comps) {
          const dx = x - c.mu[0], dy = y - c.mu[1];
          p += c.w * c.norm * Math.exp(-0.5 * (c.inv[0] * dx * dx + 2 * c.inv[1] * dx * dy + c.inv[2] * dy * dy));
        }
        const v = Math.log(Math.max(p, 1e-300));
        logp[j * cols + i] = v;
        if (v > top) top = v;
      }
    }
    const step = 1.0; // one contour per factor e of density, the ten highest
    for (let q = 0; q < level.length; q++) level[q] = Math.max(-11, Math.floor((logp[q] - top) / step));
    ctx.save();
    ctx.fillStyle = "rgba(110,110,110,0.55)";
    for (let j = 0; j < rows - 1; j++) {
      for (let i = 0; i < cols - 1; i++) {
        const v = level[j * cols + i];
        if (v <= -11) continue;
        if (v !== level[j * cols + i + 1] || v !== level[(j + 1) * cols + i]) {
          ctx.fillRect(f.m.l + (i + 0.5) * cell, f.m.t + (j + 0.5) * cell, 1.5, 1.5);
        }
      }
    }
    ctx.restore();
  }

  drawTrails(ctx, f, panel, b, centres) {
    // each centroid's path: the start and every M step up to the half-step on screen
    const stops = [];
    for (let i = 0; i <= b; i++) if (panel.kinds[i] !== "E") stops.push(panel.centres(i));
    if (stops.length < 2) return;
    ctx.save();
    ctx.setLineDash([2, 4]);
    ctx.lineWidth = 1.5;
    for (let k = 0; k < panel.k; k++) {
      ctx.strokeStyle = this.payload.colours[k % this.payload.colours.length];
      ctx.beginPath();
      stops.forEach((c, i) => (i ? ctx.lineTo(f.px(c[k][0]), f.py(c[k][1])) : ctx.moveTo(f.px(c[k][0]), f.py(c[k][1]))));
      ctx.stroke();
    }
    ctx.restore();
  }

  drawEllipses(ctx, f, panel, a, b, t, options) {
    const levels = options.levels || [1, 2];
    if (!levels.length) return;
    const pa = panel.spec.params[a], pb = panel.spec.params[b];
    const colours = this.payload.colours;
    if (panel.kinds[b] === "M" && b > 0) { // the ellipses before this M step, dashed
      const before = panel.spec.params[b - 1];
      ctx.save();
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.8;
      ctx.globalAlpha = 0.5 * Math.max(t, 0.2);
      for (let k = 0; k < panel.k; k++) {
        ctx.strokeStyle = colours[k % colours.length];
        ellipsePath(ctx, f, before.mu[k], before.cov[k], Math.min(...levels));
        ctx.stroke();
      }
      ctx.restore();
    }
    for (const level of levels) {
      ctx.save();
      ctx.lineWidth = level === 1 ? 3.5 : level === 2 ? 2.5 : 1.6;
      for (let k = 0; k < panel.k; k++) {
        const mu = [lerp(pa.mu[k][0], pb.mu[k][0], t), lerp(pa.mu[k][1], pb.mu[k][1], t)];
        ctx.strokeStyle = colours[k % colours.length];
        ellipsePath(ctx, f, mu, lerpCov(pa.cov[k], pb.cov[k], t), level);
        ctx.stroke();
      }
      ctx.restore();
    }
  }

  drawCentres(ctx, f, panel, centres) {
    const colours = this.payload.colours;
    const letter = panel.alg === "kmeans" ? "u" : "μ";
    ctx.save();
    centres.forEach((c, k) => {
      const x = f.px(c[0]), y = f.py(c[1]);
      if (x < f.m.l - 20 || x > f.m.l + f.pw + 20 || y < f.m.t - 20 || y > f.m.t + f.ph + 20) return;
      const colour = colours[k % colours.length];
      if (panel.alg === "kmeans") {
        ctx.lineCap = "round";
        for (const [width, stroke] of [[8, OUTLINE], [4.5, colour]]) {
          ctx.strokeStyle = stroke;
          ctx.lineWidth = width;
          ctx.beginPath();
          ctx.moveTo(x - 9, y - 9); ctx.lineTo(x + 9, y + 9);
          ctx.moveTo(x + 9, y - 9); ctx.lineTo(x - 9, y + 9);
          ctx.stroke();
        }
      } else {
        ctx.fillStyle = colour;
        ctx.strokeStyle = "#000";
        ctx.lineWidth = 3;
        ctx.beginPath();
        ctx.arc(x, y, 10, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
      ctx.font = "bold 20px system-ui, sans-serif";
      ctx.lineWidth = 4;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.fillStyle = "#000";
      ctx.textBaseline = "bottom";
      ctx.textAlign = "left";
      const label = letter + sub(k + 1);
      ctx.strokeText(label, x + 11, y - 8);
      ctx.fillText(label, x + 11, y - 8);
    });
    ctx.restore();
  }

  drawCurve(panel, view, at) {
    const cssW = view.curve.clientWidth || view.box.clientWidth || 600;
    const { ctx, w, h } = sizeCanvas(view.curve, cssW, view.curveH || 210);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    const m = { l: 84, r: 16, t: 48, b: 36 };
    const pw = w - m.l - m.r, ph = h - m.t - m.b;
    const names = panel.curveNames();
    const series = names.map((name) => panel.spec.curves[name]);
    const [first, lastShown] = this.curveWindow(panel, at);
    const values = series.flatMap((s) => s.slice(first, lastShown + 1)).filter((v) => v !== null && Number.isFinite(v));
    ctx.font = "15px system-ui, sans-serif";
    ctx.fillStyle = "#1a1a1a";
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    const title = panel.alg === "kmeans" ? "J after every half-step (never rises)"
      : "log-likelihood ℓ (solid) and lower bound 𝓛 (dashed) after every half-step";
    fitText(ctx, title, m.l, 4, w - 6, 15);
    if (!values.length) return;
    let lo = Math.min(...values), hi = Math.max(...values);
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) { lo -= 1; hi += 1; }
    const pad = 0.08 * (hi - lo);
    lo -= pad; hi += pad;
    const span = Math.max(lastShown - first, 1);
    const X = (i) => m.l + ((i - first) / span) * pw;
    const Y = (v) => m.t + ((hi - v) / (hi - lo)) * ph;
    // axes
    ctx.strokeStyle = "#e6e6e6";
    ctx.fillStyle = "#333";
    ctx.font = "13px system-ui, sans-serif";
    const ys = ticks(lo, hi, 3);
    const yStep = ys.length > 1 ? ys[1] - ys[0] : 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ys) {
      ctx.beginPath(); ctx.moveTo(m.l, Y(v)); ctx.lineTo(m.l + pw, Y(v)); ctx.stroke();
      ctx.fillText(Math.abs(yStep) >= 1 ? Math.round(v).toLocaleString("en-US") : tickText(v, yStep), m.l - 6, Y(v));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of ticks(first, first + span, Math.min(8, span)).filter((v) => Number.isInteger(v))) ctx.fillText(String(v), X(v), m.t + ph + 4);
    ctx.fillText("half-step", m.l + pw / 2, m.t + ph + 19);
    ctx.strokeStyle = "#888";
    ctx.strokeRect(m.l, m.t, pw, ph);

    const shown = Math.min(Math.max(this.revealed, Math.ceil(at)), panel.length - 1);
    const colours = [E_COLOUR, M_COLOUR];
    series.forEach((s, which) => {
      ctx.save();
      ctx.beginPath(); ctx.rect(m.l - 5, m.t - 5, pw + 10, ph + 10); ctx.clip(); // zoomed: the window only
      ctx.strokeStyle = which === 0 ? "#1f77b4" : "#ff7f0e";
      ctx.lineWidth = 2.5;
      if (which === 1) ctx.setLineDash([7, 4]);
      ctx.beginPath();
      let started = false;
      for (let i = 0; i <= shown; i++) {
        if (s[i] === null || s[i] === undefined) { started = false; continue; }
        if (started) ctx.lineTo(X(i), Y(s[i])); else { ctx.moveTo(X(i), Y(s[i])); started = true; }
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (panel.length <= 120) {
        for (let i = 0; i <= shown; i++) {
          if (s[i] === null || s[i] === undefined) continue;
          ctx.fillStyle = panel.kinds[i] === "E" ? colours[0] : colours[1];
          ctx.beginPath();
          if (panel.kinds[i] === "E") ctx.arc(X(i), Y(s[i]), 3.5, 0, 2 * Math.PI);
          else ctx.rect(X(i) - 3.5, Y(s[i]) - 3.5, 7, 7);
          ctx.fill();
        }
      }
      ctx.restore();
    });
    // "now": a vertical line at the half-step on screen, and its value(s)
    const now = Math.min(at, panel.length - 1);
    ctx.save();
    ctx.strokeStyle = "rgba(26,26,26,0.6)";
    ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(X(now), m.t); ctx.lineTo(X(now), m.t + ph); ctx.stroke();
    const i0 = Math.floor(now), i1 = Math.min(Math.ceil(now), panel.length - 1), u = now - i0;
    const valueAt = (s) => {
      const v0 = s[i0], v1 = s[i1];
      if (v1 === null || v1 === undefined) return null;
      return v0 === null || v0 === undefined ? v1 : lerp(v0, v1, u);
    };
    const texts = [];
    series.forEach((s, which) => {
      const v = valueAt(s);
      if (v === null) return;
      ctx.fillStyle = which === 0 ? "#1f77b4" : "#ff7f0e";
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(X(now), Y(v), 6, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      texts.push(`${names[which] === "J" ? "J" : names[which] === "ll" ? "ℓ" : "𝓛"} = ${fmt(s[Math.round(now)])}`);
    });
    if (series.length === 2) {
      const l = series[0][Math.round(now)], q = series[1][Math.round(now)];
      if (l !== null && q !== null && l !== undefined && q !== undefined) texts.push(`gap = ${fmt(l - q > BOUND_ROUNDING_RTOL * Math.abs(l) ? l - q : 0)}`);
    }
    ctx.fillStyle = "#1a1a1a";
    ctx.font = "14px system-ui, sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    fitText(ctx, `now (half-step ${Math.round(now)}):  ` + texts.join("   "), m.l, 25, w - 6, 14);
    ctx.restore();
  }
}

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  let root = parentElement.querySelector(".cl-stage");
  if (!root) root = el("div", { class: "cl-stage", "data-cursor": "-1", tabindex: "-1" }, parentElement);
  if (!root.__stage) root.__stage = new Stage(root);
  const stage = root.__stage;
  stage.receive(data, setStateValue, setTriggerValue);
  stage.listen();
  return () => stage.unlisten();
}
