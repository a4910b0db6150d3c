extension InteractivePlane {
    /// The page's script. `render(D, s)` is pure (data and state in, SVG markup out) so
    /// that it runs, and is tested, without a browser; the rest wires the controls.
    static let script = #"""
    "use strict";
    // Layer names come from the analysis file: escaped before they enter markup.
    function esc(t) { return String(t).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;"); }
    function fmt(v) { return v === null || v === undefined ? "–" : v.toFixed(3); }
    function ticks(low, high) {
      const raw = (high - low) / 6, mag = Math.pow(10, Math.floor(Math.log10(raw)));
      const step = [1, 2, 5, 10].map(k => k * mag).reduce((a, b) => Math.abs(Math.log(b / raw)) < Math.abs(Math.log(a / raw)) ? b : a);
      const out = [];
      for (let k = Math.ceil(low / step - 1e-9); k * step <= high + 1e-9 * step; k++) out.push(Number((k * step).toPrecision(12)));
      return out;
    }
    // An axis's ends as FigureStyle.domain chooses them for the static figures.
    function domain(axis, table, ceiling, headroom) {
      const values = [];
      for (const row of table) for (const v of row) if (v !== null) values.push(v);
      if (axis && axis.kind === "fixed") return [axis.low, axis.high];
      if (axis && axis.kind === "fit" && values.length) {
        const low = Math.min(...values), high = Math.max(...values);
        const margin = Math.max(high - low, Math.max(Math.abs(high), 1) * 1e-3) * 0.05;
        return [low - margin, high + margin];
      }
      return [0, Math.max(Math.max(ceiling, values.length ? Math.max(...values) : 0) * (1 + headroom), 1e-3)];
    }
    let clips = 0;
    function render(D, s) {
      const W = 720, H = 520, L = 70, T = 20, PW = 600, PH = 440;
      const est = D.estimators[s.estimator];
      const axes = D.axes || {};
      const [x0, x1] = domain(axes.ixt, est.ixt, D.hx, 0.02), [y0, y1] = domain(axes.ity, est.ity, D.hy, 0.04);
      const X = v => L + (v - x0) / (x1 - x0) * PW, Y = v => T + PH - (v - y0) / (y1 - y0) * PH;
      const clip = "frame" + (++clips);
      const parts = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + W + ' ' + H + '" width="' + W + '" height="' + H + '" font-size="11">'];
      parts.push('<defs><clipPath id="' + clip + '"><rect x="' + L + '" y="' + T + '" width="' + PW + '" height="' + PH + '"/></clipPath></defs>');
      parts.push('<rect class="frame" x="' + L + '" y="' + T + '" width="' + PW + '" height="' + PH + '" fill="none" stroke="#333" data-x="' + x0 + ',' + x1 + '" data-y="' + y0 + ',' + y1 + '"/>');
      for (const v of ticks(x0, x1)) parts.push('<text class="xtick" x="' + X(v) + '" y="' + (T + PH + 16) + '" text-anchor="middle">' + v + '</text>');
      for (const v of ticks(y0, y1)) parts.push('<text class="ytick" x="' + (L - 6) + '" y="' + (Y(v) + 4) + '" text-anchor="end">' + v + '</text>');
      // Points outside fixed limits are cut at the frame.
      parts.push('<g clip-path="url(#' + clip + ')">');
      parts.push('<text x="' + (L + PW / 2) + '" y="' + (H - 12) + '" text-anchor="middle" font-size="13">I(X;T) in bits</text>');
      parts.push('<text transform="rotate(-90 18 ' + (T + PH / 2) + ')" x="18" y="' + (T + PH / 2) + '" text-anchor="middle" font-size="13">I(T;Y) in bits</text>');
      D.layers.forEach((layer, l) => {
        if (!s.visible[l]) return;
        const color = D.colors[l];
        const path = [];
        est.ixt.forEach((row, e) => { if (row[l] !== null && est.ity[e][l] !== null) path.push(X(row[l]).toFixed(1) + ',' + Y(est.ity[e][l]).toFixed(1)); });
        parts.push('<polyline class="path" points="' + path.join(' ') + '" fill="none" stroke="' + color + '" stroke-width="1" opacity="0.6"/>');
        est.ixt.forEach((row, e) => {
          const x = row[l], y = est.ity[e][l];
          if (x === null || y === null) return;
          const tip = esc(layer) + ', epoch ' + D.epochs[e] + ', mean of ' + D.runs + ' run' + (D.runs === 1 ? '' : 's') +
            ': I(X;T) = ' + fmt(x) + ' ± ' + fmt(est.ixtSD[e][l]) + ' bits, I(T;Y) = ' + fmt(y) + ' ± ' + fmt(est.itySD[e][l]) + ' bits';
          parts.push('<circle class="point" data-layer="' + l + '" data-epoch="' + D.epochs[e] + '" cx="' + X(x).toFixed(1) + '" cy="' + Y(y).toFixed(1) +
                     '" r="2.2" fill="' + color + '"><title>' + tip + '</title></circle>');
        });
        const x = est.ixt[s.epoch][l], y = est.ity[s.epoch][l];
        if (x !== null && y !== null) {
          parts.push('<circle class="marker" cx="' + X(x).toFixed(1) + '" cy="' + Y(y).toFixed(1) + '" r="7" fill="none" stroke="' + color + '" stroke-width="2.5"/>');
          parts.push('<text class="marker-label" x="' + (X(x) + 9).toFixed(1) + '" y="' + (Y(y) - 8).toFixed(1) + '" fill="' + color + '">' + esc(layer) + '</text>');
        }
      });
      parts.push('</g></svg>');
      return parts.join('');
    }
    function readout(D, s) {
      const est = D.estimators[s.estimator], e = s.epoch;
      return 'epoch ' + D.epochs[e] + ' (' + est.title + '): ' + D.layers.map((layer, l) => s.visible[l] ?
        layer + ' (' + fmt(est.ixt[e][l]) + ', ' + fmt(est.ity[e][l]) + ')' : null).filter(x => x).join('  ');
    }
    // Builds the controls into `controls` and draws into `plane` and `out` (the comparison
    // page mounts one variant after another into the same elements).
    function mount(D, controls, out, plane) {
      const s = { estimator: D.main || 0, visible: D.layers.map(() => true), epoch: D.epochs.length - 1 };
      controls.textContent = "";
      const select = document.createElement("select");
      select.className = "estimator";
      D.estimators.forEach((est, i) => { const o = document.createElement("option"); o.value = i; o.textContent = est.title; select.appendChild(o); });
      select.value = s.estimator;
      select.onchange = () => { s.estimator = Number(select.value); draw(); };
      controls.appendChild(select);
      D.layers.forEach((layer, l) => {
        const label = document.createElement("label"), box = document.createElement("input");
        box.type = "checkbox"; box.checked = true; box.className = "layer-toggle";
        box.onchange = () => { s.visible[l] = box.checked; draw(); };
        label.appendChild(box); label.append(" " + layer); label.style.color = D.colors[l];
        controls.appendChild(label);
      });
      const slider = document.createElement("input");
      slider.type = "range"; slider.min = 0; slider.max = D.epochs.length - 1; slider.value = s.epoch; slider.id = "epoch";
      slider.oninput = () => { s.epoch = Number(slider.value); draw(); };
      const sliderLabel = document.createElement("label");
      sliderLabel.append("epoch "); sliderLabel.appendChild(slider);
      controls.appendChild(sliderLabel);
      function draw() {
        plane.innerHTML = render(D, s);
        out.textContent = readout(D, s);
      }
      draw();
    }
    if (typeof document !== "undefined" && document.getElementById("data")) {
      mount(JSON.parse(document.getElementById("data").textContent), document.getElementById("controls"),
            document.getElementById("readout"), document.getElementById("plane"));
    }
    """#
}
