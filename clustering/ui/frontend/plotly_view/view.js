// One Plotly figure kept on the page between Streamlit reruns (clustering/ui/plotly_view.py).
//
// Streamlit's component protocol (version 1): the frame says it is ready, the page sends
// "streamlit:render" with the arguments of every run, the frame sets its height and, on a
// click, its value. A new figure is drawn with Plotly.react into the same graph div: no new
// div, no new WebGL context, one draw.
(() => {
  "use strict";
  const graph = document.getElementById("figure");
  const problem = document.getElementById("problem");
  let shownSpec = null;
  let shownConfig = null;
  let frameHeight = null;
  let listening = false;
  let clicks = 0;

  const send = (type, data) => window.parent.postMessage(
    Object.assign({isStreamlitMessage: true, apiVersion: 1, type: type}, data || {}), "*");

  const setHeight = (height) => {
    if (height !== frameHeight) {
      frameHeight = height;
      graph.style.height = height + "px";
      send("streamlit:setFrameHeight", {height: height});
    }
  };

  // a plain array of plain values (customdata may come as a typed array)
  const plain = (value) => (ArrayBuffer.isView(value) ? Array.from(value) : value);

  // a click on a drawn point: the same shape as st.plotly_chart's selection state
  const onClick = (event) => {
    const points = (event.points || []).map((p) => ({
      x: p.x, y: p.y, curve_number: p.curveNumber, point_index: p.pointIndex,
      name: p.data ? p.data.name : null, customdata: plain(p.customdata),
    }));
    if (!points.length) return;
    clicks += 1;
    send("streamlit:setComponentValue",
         {value: {selection: {points: points}, click: clicks}, dataType: "json"});
  };

  const draw = (spec, config, height) => {
    const figure = JSON.parse(spec);
    const layout = figure.layout || {};
    layout.clickmode = "event";  // a click reports its point; nothing is selected (or dimmed)
    setHeight(height || layout.height || 450);
    return Plotly.react(graph, figure.data || [], layout, config).then(() => {
      problem.hidden = true;
      if (!listening) {
        graph.on("plotly_click", onClick);
        listening = true;
      }
    });
  };

  window.addEventListener("message", (event) => {
    const message = event.data;
    if (!message || message.type !== "streamlit:render") return;
    const args = message.args || {};
    if (args.spec === shownSpec && args.config === shownConfig) return;  // nothing new to draw
    shownSpec = args.spec;
    shownConfig = args.config;
    let config = {};
    try {
      config = Object.assign(JSON.parse(args.config || "{}"), {responsive: true});
      draw(args.spec, config, args.height).catch((error) => {
        problem.textContent = "This figure could not be drawn: " + error;
        problem.hidden = false;
      });
    } catch (error) {
      problem.textContent = "This figure could not be drawn: " + error;
      problem.hidden = false;
    }
  });

  send("streamlit:componentReady");
})();
