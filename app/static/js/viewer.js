/* Render every <div class="bpmn-view" data-src="URL"> on the page with the bpmn-js navigated viewer.
 * Optional data-done="id1 id2" and data-current="id3" highlight completed (green) and current (blue) elements;
 * completed sequence flows between completed elements are drawn green too. */
(function () {
  'use strict';

  var LANG = (document.documentElement.lang || 'zh').toLowerCase().indexOf('en') === 0 ? 'en' : 'zh';
  var T = {
    zh: { loading: '正在加载流程图…', loadFailed: '流程图暂时无法加载，请稍后刷新重试。',
          importFailed: '流程图格式有误，无法显示。', noViewer: '流程图组件未能加载。' },
    en: { loading: 'Loading the flowchart…', loadFailed: 'The flowchart could not be loaded; reload later.',
          importFailed: 'The flowchart is malformed and cannot be shown.', noViewer: 'The flowchart viewer did not load.' }
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

  function highlight(viewer, done, current) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    var finished = {};
    done.forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, 'bpmn-done'); finished[id] = true; }
    });
    current.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'bpmn-current'); } });
    registry.filter(function (e) { return e.type === 'bpmn:SequenceFlow'; }).forEach(function (flow) {
      var source = flow.source && flow.source.id;
      var target = flow.target && flow.target.id;
      if (finished[source] && (finished[target] || current.indexOf(target) >= 0)) { canvas.addMarker(flow, 'bpmn-done'); }
    });
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
          viewer.get('canvas').zoom('fit-viewport', 'auto');
          highlight(viewer, ids(container.getAttribute('data-done')), ids(container.getAttribute('data-current')));
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
