/* The dashboard's trend charts (ECharts, vendored in static/vendor/echarts/). Every <div class="chart"
 * data-src="URL" data-unit="week|month"> is drawn from the JSON at URL (one request for all charts): cases received
 * and completed as bars, yellow and red alerts raised as lines, the on-time rate (%) on a second axis. A chart
 * that cannot be drawn says so in words. data-rendered="ok" once drawn (for tests). */
(function () {
  'use strict';

  var LANG = (document.documentElement.lang || 'zh').toLowerCase().indexOf('en') === 0 ? 'en' : 'zh';
  var T = {
    zh: { week: '按周趋势（近 12 周）', month: '按月趋势（近 12 个月）', received: '受理', completed: '办结',
          yellow: '黄灯预警', red: '红灯报警', rate: '按时办结率（%）', count: '件数', failed: '趋势图暂时无法加载，请稍后刷新。',
          noCharts: '图表组件未能加载。' },
    en: { week: 'By week (last 12 weeks)', month: 'By month (last 12 months)', received: 'Received',
          completed: 'Completed', yellow: 'Yellow', red: 'Red', rate: 'On-time rate (%)', count: 'Cases',
          failed: 'The trend charts could not be loaded; reload later.', noCharts: 'The chart library did not load.' }
  }[LANG];

  function message(container, text) {
    container.textContent = '';
    var p = document.createElement('p');
    p.className = 'placeholder';
    p.setAttribute('role', 'alert');
    p.textContent = text;
    container.appendChild(p);
    container.setAttribute('data-rendered', 'error');
  }

  function draw(container, points) {
    var unit = container.getAttribute('data-unit');
    var chart = window.echarts.init(container);
    var pick = function (name) { return points.map(function (p) { return p[name]; }); };
    chart.setOption({
      title: { text: T[unit], left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 48, right: 56, top: 40, bottom: 56 },
      xAxis: { type: 'category', data: pick(unit === 'week' ? 'key' : 'label') },
      yAxis: [{ type: 'value', name: T.count, minInterval: 1 },
              { type: 'value', name: T.rate, min: 0, max: 100 }],
      series: [
        { name: T.received, type: 'bar', data: pick('received'), itemStyle: { color: '#8fb8e8' } },
        { name: T.completed, type: 'bar', data: pick('completed'), itemStyle: { color: '#2e8b57' } },
        { name: T.yellow, type: 'line', data: pick('yellow'), itemStyle: { color: '#d4a017' } },
        { name: T.red, type: 'line', data: pick('red'), itemStyle: { color: '#c0392b' } },
        { name: T.rate, type: 'line', yAxisIndex: 1, data: pick('on_time_rate'), connectNulls: true,
          lineStyle: { type: 'dashed' }, itemStyle: { color: '#1f6feb' } }
      ]
    });
    window.addEventListener('resize', function () { chart.resize(); });
    container.setAttribute('data-points', String(points.length));
    container.setAttribute('data-rendered', 'ok');
  }

  function start() {
    var charts = Array.prototype.slice.call(document.querySelectorAll('.chart[data-src]'));
    if (!charts.length) { return; }
    if (!window.echarts) { charts.forEach(function (c) { message(c, T.noCharts); }); return; }
    fetch(charts[0].getAttribute('data-src'), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (resp) {
        if (!resp.ok) { throw new Error('load'); }
        return resp.json();
      })
      .then(function (data) {
        charts.forEach(function (c) { draw(c, data[c.getAttribute('data-unit')] || []); });
      })
      .catch(function () { charts.forEach(function (c) { message(c, T.failed); }); });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
