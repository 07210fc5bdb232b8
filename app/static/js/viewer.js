/* Render every <div class="bpmn-view" data-src="URL"> on the page with the bpmn-js navigated viewer.
 * Optional data-done="id1 id2", data-current="id3" and data-paused="id3" mark completed (green), current (blue)
 * and paused (orange, dashed: the case's clock stands still) elements, data-late="id3" current steps past their
 * limit (red); completed sequence flows between completed
 * elements are drawn green too, and a legend says what the colours mean.
 *
 * Each chart gets a toolbar: zoom in / out, fit to width, whole chart, reset and full screen. A wide chart opens at
 * a readable scale (never below MIN_SCALE) from its start, and the rest is reached by dragging (pan) or scrolling;
 * the canvas can be made taller by dragging its lower edge. The current scale is in data-zoom (for tests). */
(function () {
  'use strict';

  var MIN_SCALE = 0.7;   // below this, step names become hard to read: a wide chart opens here and is panned
  var MARGIN = 20;       // diagram units left around a chart when fitting it
  var LANG = (document.documentElement.lang || 'zh').toLowerCase().indexOf('en') === 0 ? 'en' : 'zh';
  var T = {
    zh: { loading: '正在加载流程图…', loadFailed: '流程图暂时无法加载，请稍后刷新重试。',
          importFailed: '流程图格式有误，无法显示。', noViewer: '流程图组件未能加载。',
          zoomIn: '放大', zoomOut: '缩小', fitWidth: '适应宽度', fitAll: '显示全图', reset: '重置',
          full: '全屏', exitFull: '退出全屏', tools: '流程图缩放', legend: '图例',
          done: '已办环节', current: '当前环节', paused: '暂停计时中', late: '已超期环节',
          hint: '拖动画布可平移，按住 Ctrl 滚动鼠标滚轮可缩放。' },
    en: { loading: 'Loading the flowchart…', loadFailed: 'The flowchart could not be loaded; reload later.',
          importFailed: 'The flowchart is malformed and cannot be shown.', noViewer: 'The flowchart viewer did not load.',
          zoomIn: 'Zoom in', zoomOut: 'Zoom out', fitWidth: 'Fit width', fitAll: 'Whole chart', reset: 'Reset',
          full: 'Full screen', exitFull: 'Exit full screen', tools: 'Flowchart zoom', legend: 'Legend',
          done: 'Done', current: 'Current', paused: 'Clock paused', late: 'Overdue',
          hint: 'Drag the canvas to pan; hold Ctrl and scroll to zoom.' }
  }[LANG];

  function ids(value) {
    return (value || '').split(/[\s,]+/).filter(Boolean);
  }

  function message(container, text, isError) {
    container.textContent = '';
    var p = document.createElement('p');
    p.className = 'bpmn-view-message' + (isError ? ' error' : '');
    p.setAttribute('role', isError ? 'alert' : 'status');
    p.textContent = text;
    container.appendChild(p);
  }

  function highlight(viewer, done, current, paused, late) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    var finished = {};
    done.forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, 'bpmn-done'); finished[id] = true; }
    });
    current.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'bpmn-current'); } });
    paused.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'bpmn-paused'); } });
    (late || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'bpmn-late'); } });
    registry.filter(function (e) { return e.type === 'bpmn:SequenceFlow'; }).forEach(function (flow) {
      var source = flow.source && flow.source.id;
      var target = flow.target && flow.target.id;
      if (finished[source] && (finished[target] || current.indexOf(target) >= 0)) { canvas.addMarker(flow, 'bpmn-done'); }
    });
  }

  // ---- zoom ------------------------------------------------------------------------------------------------

  function clampScale(scale) { return Math.min(4, Math.max(0.2, scale)); }

  function noted(container, canvas) {
    container.setAttribute('data-zoom', canvas.viewbox().scale.toFixed(3));
  }

  function zoomBy(container, canvas, factor) {
    var vb = canvas.viewbox();
    var scale = clampScale(vb.scale * factor);
    var cx = vb.x + vb.width / 2, cy = vb.y + vb.height / 2;
    var w = vb.outer.width / scale, h = vb.outer.height / scale;
    canvas.viewbox({ x: cx - w / 2, y: cy - h / 2, width: w, height: h });
    noted(container, canvas);
  }

  /* The chart's whole width in the view, from its top. */
  function fitWidth(container, canvas) {
    var vb = canvas.viewbox();
    var inner = vb.inner;
    var w = inner.width + 2 * MARGIN;
    var scale = clampScale(vb.outer.width / w);
    canvas.viewbox({ x: inner.x - MARGIN, y: inner.y - MARGIN, width: vb.outer.width / scale,
                     height: vb.outer.height / scale });
    noted(container, canvas);
  }

  function fitAll(container, canvas) {
    canvas.zoom('fit-viewport', 'auto');
    noted(container, canvas);
  }

  /* The opening view: the whole chart when it is readable so, else a readable scale from its start. */
  function readable(container, canvas) {
    canvas.zoom('fit-viewport', 'auto');
    var vb = canvas.viewbox();
    if (vb.scale < MIN_SCALE) {
      var inner = vb.inner;
      var h = vb.outer.height / MIN_SCALE;
      // Vertically centred when the chart is lower than the view, else from its top.
      var y = inner.height + 2 * MARGIN < h ? inner.y + inner.height / 2 - h / 2 : inner.y - MARGIN;
      canvas.viewbox({ x: inner.x - MARGIN, y: y, width: vb.outer.width / MIN_SCALE, height: h });
    }
    noted(container, canvas);
  }

  function button(label, action, name) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'bpmn-tool';
    b.setAttribute('data-action', name);
    b.textContent = label;
    b.addEventListener('click', action);
    return b;
  }

  function legendItem(kind, text) {
    var span = document.createElement('span');
    span.className = 'bpmn-legend-item ' + kind;
    var swatch = document.createElement('i');
    swatch.className = 'bpmn-swatch ' + kind;
    swatch.setAttribute('aria-hidden', 'true');
    span.appendChild(swatch);
    span.appendChild(document.createTextNode(text));
    return span;
  }

  /* Wrap the container in a frame with the toolbar above and the legend below (once the chart is drawn). */
  function dress(container, viewer, marks) {
    var canvas = viewer.get('canvas');
    var frame = document.createElement('div');
    frame.className = 'bpmn-frame';
    container.parentNode.insertBefore(frame, container);
    var bar = document.createElement('div');
    bar.className = 'bpmn-toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', T.tools);
    var fullButton;
    function refit() { canvas.resized(); readable(container, canvas); }
    function toggleFull() {
      var on = !frame.classList.contains('bpmn-full');
      frame.classList.toggle('bpmn-full', on);
      fullButton.textContent = on ? T.exitFull : T.full;
      fullButton.setAttribute('aria-pressed', on ? 'true' : 'false');
      refit();
    }
    bar.appendChild(button('＋ ' + T.zoomIn, function () { zoomBy(container, canvas, 1.25); }, 'zoom-in'));
    bar.appendChild(button('－ ' + T.zoomOut, function () { zoomBy(container, canvas, 0.8); }, 'zoom-out'));
    bar.appendChild(button(T.fitWidth, function () { fitWidth(container, canvas); }, 'fit-width'));
    bar.appendChild(button(T.fitAll, function () { fitAll(container, canvas); }, 'fit-all'));
    bar.appendChild(button(T.reset, function () { readable(container, canvas); }, 'reset'));
    fullButton = button(T.full, toggleFull, 'full-screen');
    fullButton.setAttribute('aria-pressed', 'false');
    bar.appendChild(fullButton);
    var hint = document.createElement('small');
    hint.className = 'bpmn-hint';
    hint.textContent = T.hint;
    bar.appendChild(hint);
    frame.appendChild(bar);
    frame.appendChild(container);
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && frame.classList.contains('bpmn-full')) { toggleFull(); }
    });
    if (marks.done.length || marks.current.length || marks.paused.length) {
      var legend = document.createElement('div');
      legend.className = 'bpmn-legend';
      legend.setAttribute('aria-label', T.legend);
      legend.appendChild(legendItem('done', T.done));
      legend.appendChild(legendItem('current', T.current));
      if (marks.paused.length) { legend.appendChild(legendItem('paused', T.paused)); }
      if (marks.late.length) { legend.appendChild(legendItem('late', T.late)); }
      frame.appendChild(legend);
    }
    // The viewer measured its container before the frame moved it; measure again.
    canvas.resized();
  }

  function render(container) {
    if (container.getAttribute('data-rendered')) { return; }
    container.setAttribute('data-rendered', 'loading');
    if (!window.BpmnJS) { message(container, T.noViewer, true); return; }
    message(container, T.loading, false);
    fetch(container.getAttribute('data-src'), { credentials: 'same-origin', headers: { 'Accept': 'application/xml' } })
      .then(function (resp) {
        if (!resp.ok) { throw new Error('load'); }
        return resp.text();
      })
      .then(function (xml) {
        container.textContent = '';
        var viewer = new window.BpmnJS({ container: container });
        return viewer.importXML(xml).then(function () {
          var marks = { done: ids(container.getAttribute('data-done')),
                        current: ids(container.getAttribute('data-current')),
                        paused: ids(container.getAttribute('data-paused')),
                        late: ids(container.getAttribute('data-late')) };
          dress(container, viewer, marks);
          readable(container, viewer.get('canvas'));
          highlight(viewer, marks.done, marks.current, marks.paused, marks.late);
          container.setAttribute('data-rendered', 'ok');
          container.bpmnViewer = viewer;
        }, function (err) {
          viewer.destroy();
          console.warn('bpmn import failed', err);
          message(container, T.importFailed, true);
          container.setAttribute('data-rendered', 'error');
        });
      })
      .catch(function () {
        message(container, T.loadFailed, true);
        container.setAttribute('data-rendered', 'error');
      });
  }

  function renderAll() {
    Array.prototype.forEach.call(document.querySelectorAll('.bpmn-view[data-src]'), render);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', renderAll);
  } else {
    renderAll();
  }
  window.sunshineRenderBpmn = renderAll;
}());
