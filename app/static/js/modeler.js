/* Sunshine flowchart editor: bpmn-js modeler, a small properties panel, located problems and a simulator.
 *
 * The page (templates/catalog/modeler.html) loads either the bpmn-js modeler bundle (editable drafts) or the
 * navigated viewer bundle (read-only); both define the global BpmnJS. Everything the panel writes follows
 * DESIGN §4: lanes are posts, a user task's time limit is a non-interrupting timer boundary event with
 * <bpmn:timeDate>workdays(N)</bpmn:timeDate>, forms and flags are spiffworkflow:properties.
 */
(function () {
  'use strict';

  var LANG = (document.documentElement.lang || 'zh').toLowerCase().indexOf('en') === 0 ? 'en' : 'zh';
  var T = {
    zh: {
      loading: '正在加载流程图…', loadFailed: '流程图无法加载：', importFailed: '流程图无法显示：',
      starter: '这是根据本部门岗位生成的初始流程图，尚未保存。', saved: '已保存。', savedWith: '已保存，发现 {n} 个问题。',
      notSaved: '未保存：', saving: '正在保存…', checking: '正在检查…', checked: '检查完成，发现 {n} 个问题。',
      checkedOk: '检查通过，没有发现问题。', network: '网络错误，请稍后重试。', unsaved: '有未保存的修改',
      noProblems: '没有发现问题。', line: '第 {n} 行', warning: '提示', error: '错误',
      selectHint: '在图中选择一个元素以编辑其属性。', name: '名称', id: '编号', type: '类型',
      post: '岗位（泳道名称）', postHint: '从本部门岗位中选择，或直接输入。', postUnknown: '「{name}」不是本部门的岗位。',
      form: '表单', noForm: '（不使用表单）', limit: '办理时限（工作日）',
      limitHint: '保存为附在环节上的非中断定时边界事件：workdays(N)。', limitOther: '当前时限表达式：{expr}',
      limitName: '时限 {n}个工作日', noLimit: '尚未设置时限。', removeLimit: '删除时限',
      removeLimitConfirm: '删除时限会同时删除从定时事件引出的路径。确定删除吗？', limitRemoved: '已删除时限（可按 Ctrl+Z 撤销）。',
      clock: '停止计时（补正、听证等环节）',
      decision: '决定环节（须上传证据和法律依据）', condition: '条件（Python 表达式）',
      conditionHint: '例如 accept_result == "accept"；变量来自前面环节的表单字段。', defaultFlow: '默认路径（其他条件都不满足时）',
      timerExpr: '时限表达式', interrupting: '到期时中断环节（否则只亮红灯）', readonly: '只读：该调整申请已提交，不能修改。',
      timeOf: '期限计算谁的时间', timeOfHint: '申请人或第三方的期限到期时仍按流程图流转，但不对本部门亮黄灯、红灯；其所附环节通常应停止计时。',
      timeOfOptions: { '': '本部门的办理时限（到期前黄灯、到期红灯）', applicant: '申请人的期限（如补正期限）', third_party: '第三方的期限（如听证通知期）' },
      types: {
        'bpmn:UserTask': '人工环节', 'bpmn:Task': '任务', 'bpmn:ScriptTask': '脚本任务', 'bpmn:ServiceTask': '服务任务',
        'bpmn:ManualTask': '手工任务', 'bpmn:StartEvent': '开始事件', 'bpmn:EndEvent': '结束事件',
        'bpmn:BoundaryEvent': '边界事件', 'bpmn:IntermediateCatchEvent': '中间事件', 'bpmn:ExclusiveGateway': '排他网关',
        'bpmn:ParallelGateway': '并行网关', 'bpmn:InclusiveGateway': '包容网关', 'bpmn:SequenceFlow': '顺序流',
        'bpmn:Lane': '泳道（岗位）', 'bpmn:Participant': '池（部门）', 'bpmn:Process': '流程', 'bpmn:SubProcess': '子流程',
        'bpmn:TextAnnotation': '注释'
      },
      simStart: '模拟运行', simStop: '退出模拟', simTitle: '模拟运行', simSaved: '模拟使用已保存的流程图。',
      simUnsaved: '注意：有未保存的修改，模拟使用的是上次保存的版本。', simNow: '模拟时间', simReady: '待办环节',
      simNone: '没有待办环节。', simComplete: '办理完成', simTimer: '时间推进到下一个时限', simTimers: '进行中的时限',
      simNoTimers: '没有进行中的时限。', simFinished: '流程已结束：{end}', simFired: '已到期：{names}',
      simNotes: '真实办件中这些内容会被拒绝（模拟中仅作提示）：', simLane: '岗位', simDue: '到期', yes: '是',
      simRestart: '重新开始', simError: '模拟出错：'
    },
    en: {
      loading: 'Loading the flowchart…', loadFailed: 'The flowchart could not be loaded: ',
      importFailed: 'The flowchart cannot be displayed: ',
      starter: 'This is a starting flowchart built from your department\'s posts; it is not saved yet.',
      saved: 'Saved.', savedWith: 'Saved; {n} problem(s) found.', notSaved: 'Not saved: ', saving: 'Saving…',
      checking: 'Checking…', checked: 'Check finished; {n} problem(s) found.', checkedOk: 'Check passed; no problems.',
      network: 'Network error; try again later.', unsaved: 'Unsaved changes', noProblems: 'No problems found.',
      line: 'line {n}', warning: 'Note', error: 'Error', selectHint: 'Select an element in the diagram to edit it.',
      name: 'Name', id: 'Id', type: 'Type', post: 'Post (lane name)', postHint: 'Pick one of the department\'s posts or type.',
      postUnknown: '"{name}" is not a post of this department.', form: 'Form', noForm: '(no form)',
      limit: 'Time limit (working days)',
      limitHint: 'Stored as a non-interrupting timer boundary event on the step: workdays(N).',
      limitOther: 'Current time-limit expression: {expr}', limitName: 'Time limit {n} working day(s)',
      noLimit: 'No time limit yet.', removeLimit: 'Remove time limit',
      removeLimitConfirm: 'Removing the time limit also removes the paths leaving its timer event. Remove it?',
      limitRemoved: 'Time limit removed (Ctrl+Z undoes it).', clock: 'Clock paused (supplement, hearing…)',
      decision: 'Decision step (evidence and legal basis required)', condition: 'Condition (Python expression)',
      conditionHint: 'e.g. accept_result == "accept"; names are form fields of earlier steps.',
      defaultFlow: 'Default path (when no condition holds)', timerExpr: 'Time-limit expression',
      interrupting: 'Interrupts the step when due (otherwise only a red alert)',
      timeOf: 'Whose time this period measures',
      timeOfHint: 'An applicant\'s or third party\'s period still moves the case as drawn when it expires, but never turns the department yellow or red; the step it is attached to usually stops the clock.',
      timeOfOptions: { '': 'The department\'s limit (yellow before, red when due)', applicant: 'The applicant\'s (e.g. the supplement period)', third_party: 'A third party\'s (e.g. a hearing notice period)' },
      readonly: 'Read only: this request was submitted and cannot be changed.',
      types: {
        'bpmn:UserTask': 'User step', 'bpmn:Task': 'Task', 'bpmn:ScriptTask': 'Script task',
        'bpmn:ServiceTask': 'Service task', 'bpmn:ManualTask': 'Manual task', 'bpmn:StartEvent': 'Start event',
        'bpmn:EndEvent': 'End event', 'bpmn:BoundaryEvent': 'Boundary event',
        'bpmn:IntermediateCatchEvent': 'Intermediate event', 'bpmn:ExclusiveGateway': 'Exclusive gateway',
        'bpmn:ParallelGateway': 'Parallel gateway', 'bpmn:InclusiveGateway': 'Inclusive gateway',
        'bpmn:SequenceFlow': 'Sequence flow', 'bpmn:Lane': 'Lane (post)', 'bpmn:Participant': 'Pool (department)',
        'bpmn:Process': 'Process', 'bpmn:SubProcess': 'Sub-process', 'bpmn:TextAnnotation': 'Annotation'
      },
      simStart: 'Simulate', simStop: 'Leave simulation', simTitle: 'Simulation',
      simSaved: 'The simulation runs the saved flowchart.',
      simUnsaved: 'Note: there are unsaved changes; the simulation runs the last saved version.',
      simNow: 'Simulated time', simReady: 'Steps to do', simNone: 'No step is waiting.', simComplete: 'Complete',
      simTimer: 'Advance time to the next limit', simTimers: 'Running time limits', simNoTimers: 'No time limit is running.',
      simFinished: 'The process ended: {end}', simFired: 'Due: {names}',
      simNotes: 'A real case would refuse these (only a note in the simulation):', simLane: 'Post', simDue: 'Due',
      yes: 'yes', simRestart: 'Start again', simError: 'Simulation error: '
    }
  }[LANG];

  // ---- Chinese for bpmn-js's own UI -------------------------------------------------------------------
  // bpmn-js looks every label of the palette, the context pad, the "change element" (replace) popup and its
  // header toggles up through its translate service; the keys are the exact English templates of the vendored
  // bundle (grep 'label:"' and the translate calls in vendor/bpmn-js/bpmn-modeler.production.min.js).
  var ZH_UI = {
    // palette
    'Activate hand tool': '抓手工具', 'Activate lasso tool': '套索工具', 'Activate create/remove space tool': '插入/删除空间',
    'Activate global connect tool': '连线工具', 'Create start event': '开始事件', 'Create end event': '结束事件',
    'Create task': '任务', 'Create gateway': '网关', 'Create intermediate/boundary event': '中间/边界事件',
    'Create data object reference': '数据对象', 'Create data store reference': '数据存储',
    'Create expanded sub-process': '子流程', 'Create pool/participant': '池', 'Create group': '分组',

    // context pad
    'Append end event': '追加结束事件', 'Append gateway': '追加网关', 'Append task': '追加任务',
    'Append intermediate/boundary event': '追加中间事件', 'Append receive task': '追加接收任务',
    'Append message intermediate catch event': '追加消息中间捕获事件',
    'Append timer intermediate catch event': '追加定时中间捕获事件',
    'Append conditional intermediate catch event': '追加条件中间捕获事件',
    'Append signal intermediate catch event': '追加信号中间捕获事件',
    'Append compensation activity': '追加补偿活动', 'Add text annotation': '添加注释',
    'Connect to other element': '连接到其他元素', 'Connect using association': '用关联连接',
    'Connect using data input association': '用数据输入关联连接', 'Change element': '更改类型', 'Delete': '删除',
    'Add lane above': '在上方添加泳道', 'Add lane below': '在下方添加泳道', 'Divide into two lanes': '拆分为两个泳道',
    'Divide into three lanes': '拆分为三个泳道', 'Search in diagram': '在图中搜索', 'Open {element}': '打开「{element}」',

    // align / distribute (several elements selected)
    'Align elements': '对齐', 'Align elements left': '左对齐', 'Align elements center': '水平居中对齐',
    'Align elements right': '右对齐', 'Align elements top': '顶端对齐', 'Align elements middle': '垂直居中对齐',
    'Align elements bottom': '底端对齐', 'Distribute elements horizontally': '水平等距分布',
    'Distribute elements vertically': '垂直等距分布',

    // replace menu: tasks and sub-processes
    'Task': '任务', 'User task': '用户任务', 'Service task': '服务任务', 'Send task': '发送任务',
    'Receive task': '接收任务', 'Manual task': '手工任务', 'Business rule task': '业务规则任务',
    'Script task': '脚本任务', 'Call activity': '调用活动', 'Transaction': '事务', 'Event sub-process': '事件子流程',
    'Sub-process': '子流程', 'Sub-process (collapsed)': '子流程（折叠）', 'Sub-process (expanded)': '子流程（展开）',
    'Ad-hoc sub-process': '自由子流程', 'Ad-hoc sub-process (collapsed)': '自由子流程（折叠）',
    'Ad-hoc sub-process (expanded)': '自由子流程（展开）',

    // replace menu: gateways, data, pools, flows
    'Exclusive gateway': '排他网关', 'Parallel gateway': '并行网关', 'Inclusive gateway': '包容网关',
    'Complex gateway': '复杂网关', 'Event-based gateway': '事件网关',
    'Data object reference': '数据对象', 'Data store reference': '数据存储',
    'Expanded pool/participant': '展开的池（参与者）', 'Empty pool/participant': '空池（参与者）',
    'Empty pool/participant (removes content)': '空池（参与者，将删除池中内容）',
    'Sequence flow': '顺序流', 'Default flow': '默认路径', 'Conditional flow': '条件路径',

    // replace menu: start events
    'Start event': '开始事件', 'Message start event': '消息开始事件', 'Timer start event': '定时开始事件',
    'Conditional start event': '条件开始事件', 'Signal start event': '信号开始事件', 'Error start event': '错误开始事件',
    'Escalation start event': '升级开始事件', 'Compensation start event': '补偿开始事件',
    'Message start event (non-interrupting)': '消息开始事件（非中断）',
    'Timer start event (non-interrupting)': '定时开始事件（非中断）',
    'Conditional start event (non-interrupting)': '条件开始事件（非中断）',
    'Signal start event (non-interrupting)': '信号开始事件（非中断）',
    'Escalation start event (non-interrupting)': '升级开始事件（非中断）',

    // replace menu: intermediate events
    'Intermediate throw event': '中间抛出事件', 'Message intermediate catch event': '消息中间捕获事件',
    'Message intermediate throw event': '消息中间抛出事件', 'Timer intermediate catch event': '定时中间捕获事件',
    'Conditional intermediate catch event': '条件中间捕获事件', 'Signal intermediate catch event': '信号中间捕获事件',
    'Signal intermediate throw event': '信号中间抛出事件', 'Escalation intermediate throw event': '升级中间抛出事件',
    'Compensation intermediate throw event': '补偿中间抛出事件', 'Link intermediate catch event': '链接中间捕获事件',
    'Link intermediate throw event': '链接中间抛出事件',

    // replace menu: boundary events
    'Boundary event': '边界事件', 'Message boundary event': '消息边界事件', 'Timer boundary event': '定时边界事件',
    'Conditional boundary event': '条件边界事件', 'Signal boundary event': '信号边界事件',
    'Escalation boundary event': '升级边界事件', 'Error boundary event': '错误边界事件',
    'Cancel boundary event': '取消边界事件', 'Compensation boundary event': '补偿边界事件',
    'Message boundary event (non-interrupting)': '消息边界事件（非中断）',
    'Timer boundary event (non-interrupting)': '定时边界事件（非中断）',
    'Conditional boundary event (non-interrupting)': '条件边界事件（非中断）',
    'Signal boundary event (non-interrupting)': '信号边界事件（非中断）',
    'Escalation boundary event (non-interrupting)': '升级边界事件（非中断）',

    // replace menu: end events
    'End event': '结束事件', 'Message end event': '消息结束事件', 'Signal end event': '信号结束事件',
    'Escalation end event': '升级结束事件', 'Error end event': '错误结束事件', 'Cancel end event': '取消结束事件',
    'Compensation end event': '补偿结束事件', 'Terminate end event': '终止结束事件',

    // replace menu header toggles
    'Parallel multi-instance': '并行多实例', 'Sequential multi-instance': '串行多实例', 'Loop': '循环',
    'Toggle non-interrupting': '切换中断/非中断', 'Collection': '集合', 'Participant multiplicity': '多参与者',

    // feedback while dragging
    'flow elements must be children of pools/participants': '流程元素必须放在池（参与者）内',
    'Data object must be placed within a pool/participant.': '数据对象必须放在池（参与者）内。'
  };

  // Texts the popup menu renders itself, without the translate service.
  var ZH_POPUP = { search: '搜索类型…', results: '项结果', noResults: '没有匹配的类型。' };

  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return values && k in values ? values[k] : m; });
  }

  // moddle extension for SpiffWorkflow's namespace: the parts Sunshine reads and writes.
  var SPIFF = {
    name: 'SpiffWorkflow', uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core', prefix: 'spiffworkflow',
    xml: { tagAlias: 'lowerCase' },
    types: [
      { name: 'Properties', superClass: ['Element'],
        properties: [{ name: 'properties', type: 'Property', isMany: true }] },
      { name: 'Property', superClass: ['Element'],
        properties: [{ name: 'name', type: 'String', isAttr: true }, { name: 'value', type: 'String', isAttr: true }] },
      { name: 'InstructionsForEndUser', superClass: ['Element'],
        properties: [{ name: 'value', type: 'String', isBody: true }] },
      { name: 'PreScript', superClass: ['Element'], properties: [{ name: 'value', type: 'String', isBody: true }] },
      { name: 'PostScript', superClass: ['Element'], properties: [{ name: 'value', type: 'String', isBody: true }] }
    ]
  };

  var root = document.getElementById('modeler');
  if (!root) { return; }
  var urls = JSON.parse(root.getAttribute('data-urls'));
  var editable = root.getAttribute('data-editable') === '1';
  var changeId = Number(root.getAttribute('data-change'));
  var which = root.getAttribute('data-which');
  var csrfMeta = document.querySelector('meta[name="csrf"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var $ = function (sel) { return root.querySelector(sel); };
  var statusEl = $('#modeler-status');

  var additionalModules = [];
  if (LANG === 'zh') {
    additionalModules.push({
      translate: ['value', function (template, replacements) {
        return fmt(ZH_UI[template] || template, replacements || {});
      }]
    });
  }
  var options = { container: $('#canvas'), moddleExtensions: { spiffworkflow: SPIFF },
                  additionalModules: additionalModules };
  // diagram-js binds shortcuts (undo, delete …) to the focused canvas itself; keyboard.bindTo is gone since 15.
  var modeler = new window.BpmnJS(options);
  var canvas = modeler.get('canvas');
  var overlays = modeler.get('overlays');
  var registry = modeler.get('elementRegistry');
  var eventBus = modeler.get('eventBus');
  var selection = modeler.get('selection', false);
  var modeling = editable ? modeler.get('modeling', false) : null;
  var bpmnFactory = editable ? modeler.get('bpmnFactory', false) : null;
  var elementFactory = editable ? modeler.get('elementFactory', false) : null;
  var popupMenu = editable ? modeler.get('popupMenu', false) : null;
  if (LANG === 'zh' && popupMenu) { localizePopupMenu(); }

  var posts = [];
  var forms = [];
  var dirty = false;
  var lastProblems = [];

  // ---- small DOM helpers ------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; } else if (k === 'class') { node.className = attrs[k]; } else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) {
        node.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
      }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); } });
    return node;
  }

  function setStatus(text, kind) {
    statusEl.textContent = text || '';
    statusEl.className = 'modeler-status' + (kind ? ' ' + kind : '');
  }

  function markDirty(value) {
    dirty = value;
    root.classList.toggle('dirty', value);
    var flag = $('#dirty-flag');
    if (flag) { flag.hidden = !value; }
  }

  function request(url, opts) {
    opts = opts || {};
    var headers = Object.assign({ 'X-CSRF-Token': csrf, 'Accept': 'application/json' }, opts.headers || {});
    return fetch(url, { method: opts.method || 'POST', headers: headers, body: opts.body, credentials: 'same-origin' })
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (data) {
          return { ok: resp.ok, status: resp.status, data: data };
        });
      });
  }

  function postJSON(url, body) {
    return request(url, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  }

  /** The few popup-menu texts bpmn-js hard-codes: search placeholder, "N results found", no match. */
  function localizePopupMenu() {
    var observer = null;
    function localize(container) {
      container.querySelectorAll('.djs-popup-search input').forEach(function (input) {
        if (!input.placeholder) { input.placeholder = ZH_POPUP.search; }
      });
      // "{n} {result|results} found" are separate text nodes; rewrite them in place so later renders still update.
      container.querySelectorAll('.djs-popup-search-count').forEach(function (count) {
        count.childNodes.forEach(function (node) {
          if (node.nodeType !== 3) { return; }
          if (/^\s*results?\s*$/.test(node.data)) { node.data = ZH_POPUP.results; } else if (/^\s*found\s*$/.test(node.data)) { node.data = ''; }
        });
      });
    }
    popupMenu.registerProvider('bpmn-replace', {
      getPopupMenuEntries: function () { return {}; },
      getEmptyPlaceholder: function () { return function (search) { return search ? ZH_POPUP.noResults : ''; }; }
    });
    eventBus.on('popupMenu.opened', function () {
      var container = canvas.getContainer().querySelector('.djs-popup-parent');
      if (!container) { return; }
      localize(container);
      if (observer) { observer.disconnect(); }
      observer = new MutationObserver(function () { localize(container); });
      observer.observe(container, { childList: true, subtree: true, characterData: true });
    });
    eventBus.on('popupMenu.close', function () { if (observer) { observer.disconnect(); observer = null; } });
  }

  // ---- BPMN helpers -----------------------------------------------------------------------------------

  function bo(element) { return element.businessObject; }
  function is(element, type) { return bo(element) && bo(element).$instanceOf(type); }

  function timerDef(element) {
    return ((bo(element).eventDefinitions) || []).filter(function (d) { return d.$type === 'bpmn:TimerEventDefinition'; })[0];
  }

  function timerText(def) {
    var expr = def && (def.timeDate || def.timeDuration || def.timeCycle);
    return expr ? (expr.body || '') : '';
  }

  function timersOf(task) {
    return (task.attachers || []).filter(function (a) { return is(a, 'bpmn:BoundaryEvent') && timerDef(a); });
  }

  function timerOf(task) { return timersOf(task)[0]; }

  function spiffProps(element) {
    var ext = bo(element).extensionElements;
    var props = ext && (ext.values || []).filter(function (v) { return v.$type === 'spiffworkflow:Properties'; })[0];
    return props || null;
  }

  function getProp(element, name) {
    var props = spiffProps(element);
    var found = props && (props.properties || []).filter(function (p) { return p.name === name; })[0];
    return found ? found.value : '';
  }

  /** Write (or remove, for an empty value) one spiffworkflow:property, creating the containers on demand. */
  function setProp(element, name, value) {
    var business = bo(element);
    var ext = business.extensionElements;
    if (!value && !spiffProps(element)) { return; }
    if (!ext) {
      ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = business;
      modeling.updateProperties(element, { extensionElements: ext });
    }
    var props = spiffProps(element);
    if (!props) {
      props = bpmnFactory.create('spiffworkflow:Properties', { properties: [] });
      props.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: (ext.values || []).concat([props]) });
    }
    var list = props.properties || [];
    var existing = list.filter(function (p) { return p.name === name; })[0];
    if (!value) {
      if (existing) {
        modeling.updateModdleProperties(element, props, { properties: list.filter(function (p) { return p !== existing; }) });
      }
    } else if (existing) {
      if (existing.value !== value) { modeling.updateModdleProperties(element, existing, { value: value }); }
    } else {
      var prop = bpmnFactory.create('spiffworkflow:Property', { name: name, value: value });
      prop.$parent = props;
      modeling.updateModdleProperties(element, props, { properties: list.concat([prop]) });
    }
  }

  function formalExpression(body, parent) {
    var expr = bpmnFactory.create('bpmn:FormalExpression', { body: body });
    if (parent) { expr.$parent = parent; }
    return expr;
  }

  /** Create or update the task's non-interrupting timer boundary event: workdays(days). */
  function setTimeLimit(task, days) {
    var expression = 'workdays(' + days + ')';
    var label = fmt(T.limitName, { n: days });
    var existing = timerOf(task);
    if (existing) {
      var def = timerDef(existing);
      if (timerText(def) !== expression) {
        modeling.updateModdleProperties(existing, def, {
          timeDate: formalExpression(expression, def), timeDuration: undefined, timeCycle: undefined
        });
      }
      var current = bo(existing).name || '';
      if (!current || /^(时限|Time limit)/.test(current)) { modeling.updateLabel(existing, label); }
      return existing;
    }
    var timer = bpmnFactory.create('bpmn:TimerEventDefinition', {});
    timer.timeDate = formalExpression(expression, timer);
    var event = bpmnFactory.create('bpmn:BoundaryEvent', { cancelActivity: false, eventDefinitions: [timer], name: label });
    timer.$parent = event;
    var shape = elementFactory.createShape({ type: 'bpmn:BoundaryEvent', businessObject: event });
    return modeling.createShape(shape, { x: task.x + task.width - 24, y: task.y + task.height }, task, { attach: true });
  }

  /** Remove the task's time limit: every timer boundary event on it, in one undoable command. */
  function removeTimeLimit(task) {
    var timers = timersOf(task);
    if (!timers.length) { return false; }
    var paths = timers.some(function (t) { return (t.outgoing || []).length > 0; });
    if (paths && !window.confirm(T.removeLimitConfirm)) { return false; }
    modeling.removeElements(timers.slice());
    return true;
  }

  function isGatewayFlow(element) {
    var source = element.source;
    return is(element, 'bpmn:SequenceFlow') && source &&
      (is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway'));
  }

  // ---- properties panel -------------------------------------------------------------------------------

  var panel = $('#props-body');
  var selected = null;

  function field(label, control, hint) {
    return el('div', { class: 'prop' }, [el('label', {}, [el('span', { text: label }), control]),
      hint ? el('small', { class: 'hint', text: hint }) : null]);
  }

  function onCommit(input, fn) {
    input.addEventListener('change', function () {
      if (!editable || !selected) { return; }
      try { fn(input); } catch (err) { setStatus(String(err), 'bad'); console.error(err); }
    });
  }

  function renderPanel() {
    panel.textContent = '';
    if (!editable) { panel.appendChild(el('p', { class: 'readonly-note', text: T.readonly })); }
    var element = selected;
    if (!element || element.type === 'label' || element === canvas.getRootElement()) {
      panel.appendChild(el('p', { class: 'hint', text: T.selectHint }));
      return;
    }
    var business = bo(element);
    var type = business.$type;
    panel.appendChild(el('p', { class: 'prop-type' }, [el('strong', { text: T.types[type] || type }), ' ',
      el('code', { text: business.id })]));

    if (is(element, 'bpmn:Lane')) {
      var laneInput = el('input', { type: 'text', list: 'post-options', value: business.name || '', 'data-prop': 'lane',
                                    disabled: !editable });
      onCommit(laneInput, function (i) { modeling.updateLabel(element, i.value.trim()); });
      var note = business.name && posts.length && posts.indexOf(business.name) < 0 ? fmt(T.postUnknown, { name: business.name }) : T.postHint;
      panel.appendChild(field(T.post, laneInput, note));
      return;
    }

    var nameInput = el('input', { type: 'text', value: business.name || '', 'data-prop': 'name', disabled: !editable });
    onCommit(nameInput, function (i) { modeling.updateLabel(element, i.value); });
    panel.appendChild(field(T.name, nameInput));

    if (is(element, 'bpmn:UserTask')) { renderUserTask(element); }
    if (is(element, 'bpmn:BoundaryEvent') && timerDef(element)) { renderTimer(element); }
    if (isGatewayFlow(element)) { renderCondition(element); }
  }

  function renderUserTask(element) {
    var current = getProp(element, 'formJsonSchemaFilename');
    var select = el('select', { 'data-prop': 'form', disabled: !editable }, [el('option', { value: '', text: T.noForm })]);
    var known = false;
    forms.forEach(function (f) {
      known = known || f.name === current;
      select.appendChild(el('option', { value: f.name, text: f.title + ' (' + f.name + ')', selected: f.name === current }));
    });
    if (current && !known) { select.appendChild(el('option', { value: current, text: current, selected: true })); }
    onCommit(select, function (s) {
      var chosen = forms.filter(function (f) { return f.name === s.value; })[0];
      setProp(element, 'formJsonSchemaFilename', s.value);
      setProp(element, 'formUiSchemaFilename', chosen && chosen.ui ? chosen.ui : '');
    });
    panel.appendChild(field(T.form, select));

    var timer = timerOf(element);
    var text = timer ? timerText(timerDef(timer)) : '';
    var match = /^\s*workdays\(\s*(\d+(?:\.\d+)?)\s*\)\s*$/.exec(text);
    var days = el('input', { type: 'number', min: '0', step: '1', value: match ? match[1] : '', 'data-prop': 'limit',
                             disabled: !editable });
    onCommit(days, function (i) {
      var n = Number(i.value);
      if (i.value === '' || !(n >= 0)) { return; }
      setTimeLimit(element, n);
    });
    var hint = timer && !match ? fmt(T.limitOther, { expr: text }) : (timer ? T.limitHint : T.noLimit + ' ' + T.limitHint);
    var limitField = field(T.limit, days, hint);
    if (timer && editable) {
      var remove = el('button', { type: 'button', class: 'secondary', 'data-action': 'remove-limit', text: T.removeLimit,
                                  style: 'margin-top: .3rem' });
      remove.addEventListener('click', function () {
        try {
          if (removeTimeLimit(element)) { renderPanel(); setStatus(T.limitRemoved); }
        } catch (err) { setStatus(String(err), 'bad'); console.error(err); }
      });
      limitField.appendChild(el('div', {}, [remove]));
    }
    panel.appendChild(limitField);

    [['clock', 'paused', T.clock], ['decision', 'true', T.decision]].forEach(function (spec) {
      var box = el('input', { type: 'checkbox', 'data-prop': spec[0], checked: getProp(element, spec[0]) === spec[1],
                              disabled: !editable });
      onCommit(box, function (b) { setProp(element, spec[0], b.checked ? spec[1] : ''); });
      panel.appendChild(el('div', { class: 'prop check' }, [el('label', {}, [box, ' ' + spec[2]])]));
    });
  }

  function renderTimer(element) {
    var def = timerDef(element);
    var input = el('input', { type: 'text', value: timerText(def), 'data-prop': 'timer', disabled: !editable });
    onCommit(input, function (i) {
      var value = i.value.trim();
      if (!value) { return; }
      var key = def.timeDuration ? 'timeDuration' : def.timeCycle ? 'timeCycle' : 'timeDate';
      var props = {};
      props[key] = formalExpression(value, def);
      modeling.updateModdleProperties(element, def, props);
    });
    panel.appendChild(field(T.timerExpr, input, T.limitHint));
    var box = el('input', { type: 'checkbox', checked: bo(element).cancelActivity !== false, disabled: !editable });
    onCommit(box, function (b) { modeling.updateProperties(element, { cancelActivity: b.checked }); });
    panel.appendChild(el('div', { class: 'prop check' }, [el('label', {}, [box, ' ' + T.interrupting])]));

    // DESIGN §4.4: a period that measures the applicant's or a third party's time raises no alert (clock property).
    var current = getProp(element, 'clock');
    var whose = el('select', { 'data-prop': 'time-of', disabled: !editable });
    Object.keys(T.timeOfOptions).forEach(function (value) {
      whose.appendChild(el('option', { value: value, text: T.timeOfOptions[value], selected: value === current }));
    });
    if (current && !(current in T.timeOfOptions)) { whose.appendChild(el('option', { value: current, text: current, selected: true })); }
    onCommit(whose, function (s) { setProp(element, 'clock', s.value); });
    panel.appendChild(field(T.timeOf, whose, T.timeOfHint));
  }

  function renderCondition(element) {
    var business = bo(element);
    var area = el('textarea', { rows: '2', 'data-prop': 'condition', disabled: !editable });
    area.value = business.conditionExpression ? (business.conditionExpression.body || '') : '';
    onCommit(area, function (a) {
      var value = a.value.trim();
      modeling.updateProperties(element, { conditionExpression: value ? formalExpression(value, business) : undefined });
    });
    panel.appendChild(field(T.condition, area, T.conditionHint));
    var gateway = element.source;
    var box = el('input', { type: 'checkbox', checked: bo(gateway).default === business, disabled: !editable });
    onCommit(box, function (b) {
      if (b.checked) {
        modeling.updateProperties(gateway, { 'default': business });
      } else if (bo(gateway).default === business) {
        modeling.updateProperties(gateway, { 'default': undefined });
      }
    });
    panel.appendChild(el('div', { class: 'prop check' }, [el('label', {}, [box, ' ' + T.defaultFlow])]));
  }

  eventBus.on('selection.changed', function (e) {
    selected = e.newSelection && e.newSelection.length === 1 ? e.newSelection[0] : null;
    renderPanel();
  });
  eventBus.on('elements.changed', function (e) {
    var touched = selected && e.elements.some(function (x) {
      // A removed (or restored) boundary event may have lost its host already; its attachedToRef remains.
      return x === selected || x.host === selected || (is(x, 'bpmn:BoundaryEvent') && bo(x).attachedToRef === bo(selected));
    });
    if (!touched) { return; }
    // Re-render with the committed values, keeping the keyboard focus where it was.
    var focused = panel.contains(document.activeElement) ? document.activeElement.getAttribute('data-prop') : null;
    renderPanel();
    var again = focused && panel.querySelector('[data-prop="' + focused + '"]');
    if (again) { again.focus(); }
  });

  // ---- problems ---------------------------------------------------------------------------------------

  function elementFor(id) {
    if (!id) { return null; }
    var found = registry.get(id);
    if (found) { return found; }
    // A process-level problem belongs to the pool that shows the process.
    return registry.filter(function (x) {
      return is(x, 'bpmn:Participant') && bo(x).processRef && bo(x).processRef.id === id;
    })[0] || null;
  }

  function focusElement(element) {
    if (!element) { return; }
    if (selection) { selection.select(element); }
    if (canvas.scrollToElement) { canvas.scrollToElement(element, { top: 120, bottom: 120, left: 160, right: 160 }); }
  }

  function describe(p) {
    var where = [];
    if (p.line) { where.push(fmt(T.line, { n: p.line })); }
    if (p.element_id) { where.push(p.element_name ? p.element_id + '「' + p.element_name + '」' : p.element_id); }
    return (where.length ? where.join(' · ') + '：' : '') + p.message;
  }

  function showProblems(problems) {
    lastProblems = problems || [];
    overlays.remove({ type: 'problem' });
    var list = $('#problem-list');
    list.textContent = '';
    var byElement = {};
    lastProblems.forEach(function (p) {
      var target = elementFor(p.element_id);
      var item = el('li', { class: 'problem ' + (p.severity === 'error' ? 'error' : 'warning'), tabindex: '0',
                            'data-element': target ? target.id : '' }, [
        el('span', { class: 'sev', text: p.severity === 'error' ? T.error : T.warning }), ' ', describe(p)]);
      item.addEventListener('click', function () { focusElement(target); });
      item.addEventListener('keydown', function (e) { if (e.key === 'Enter') { focusElement(target); } });
      list.appendChild(item);
      if (target) { (byElement[target.id] = byElement[target.id] || []).push(p); }
    });
    if (!lastProblems.length) { list.appendChild(el('li', { class: 'none', text: T.noProblems })); }
    Object.keys(byElement).forEach(function (id) {
      var items = byElement[id];
      var error = items.some(function (p) { return p.severity === 'error'; });
      var pop = el('div', { class: 'problem-pop', hidden: true }, items.map(function (p) { return el('p', { text: p.message }); }));
      var badge = el('div', { class: 'problem-badge ' + (error ? 'error' : 'warning'), title: items.map(function (p) { return p.message; }).join('\n'),
                              role: 'button', tabindex: '0', 'data-element': id }, [el('span', { text: String(items.length) }), pop]);
      badge.addEventListener('click', function (e) { e.stopPropagation(); pop.hidden = !pop.hidden; });
      overlays.add(id, 'problem', { position: { top: -12, right: 12 }, html: badge });
    });
    $('#problem-count').textContent = String(lastProblems.length);
    root.setAttribute('data-problems', String(lastProblems.length));
  }

  // ---- load, save, check, upload, download ------------------------------------------------------------

  function importXML(xml) {
    return modeler.importXML(xml).then(function (result) {
      canvas.zoom('fit-viewport', 'auto');
      if (editable) { canvas.scroll({ dx: 60, dy: 0 }); } // keep the pool's label clear of the palette
      if (result.warnings && result.warnings.length) { console.warn('bpmn-js import warnings', result.warnings); }
      selected = null;
      renderPanel();
      return result;
    });
  }

  function currentXML() {
    return modeler.saveXML({ format: true }).then(function (r) { return r.xml; });
  }

  function save() {
    setStatus(T.saving);
    return currentXML().then(function (xml) {
      return request(urls.save, { body: xml, headers: { 'Content-Type': 'application/xml' } });
    }).then(function (r) {
      var problems = r.data.problems || [];
      showProblems(problems);
      if (r.ok && r.data.saved) {
        markDirty(false);
        setStatus(problems.length ? fmt(T.savedWith, { n: problems.length }) : T.saved, problems.length ? 'warn' : 'ok');
      } else {
        setStatus(T.notSaved + (r.data.error || (problems[0] && problems[0].message) || r.status), 'bad');
      }
    }).catch(function (err) { console.error(err); setStatus(T.network, 'bad'); });
  }

  function check() {
    setStatus(T.checking);
    return currentXML().then(function (xml) {
      return postJSON(urls.lint, { xml: xml, change_id: changeId, which: which });
    }).then(function (r) {
      if (!r.ok) { setStatus(r.data.error || T.network, 'bad'); return; }
      var problems = r.data.problems || [];
      showProblems(problems);
      setStatus(problems.length ? fmt(T.checked, { n: problems.length }) : T.checkedOk, problems.length ? 'warn' : 'ok');
    }).catch(function (err) { console.error(err); setStatus(T.network, 'bad'); });
  }

  function download() {
    currentXML().then(function (xml) {
      var blob = new Blob([xml], { type: 'application/xml' });
      var a = el('a', { href: URL.createObjectURL(blob), download: which + '-' + changeId + '.bpmn' });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  }

  function upload(file) {
    if (!file) { return; }
    file.text().then(function (text) {
      return importXML(text).then(function () { markDirty(true); return check(); });
    }).catch(function (err) { setStatus(T.importFailed + (err.message || err), 'bad'); });
  }

  function load() {
    setStatus(T.loading);
    return fetch(urls.xml, { credentials: 'same-origin', headers: { 'Accept': 'application/xml' } }).then(function (resp) {
      if (!resp.ok) { throw new Error(T.loadFailed + resp.status); }
      var starter = resp.headers.get('X-Sunshine-Starter') === '1';
      return resp.text().then(function (xml) {
        return importXML(xml).then(function () {
          setStatus(starter ? T.starter : '', starter ? 'warn' : '');
          if (starter && editable) { markDirty(true); }
          root.setAttribute('data-ready', '1');
          return check();
        }, function (err) { throw new Error(T.importFailed + (err.message || err)); });
      });
    }).catch(function (err) {
      setStatus(err.message || String(err), 'bad');
      root.setAttribute('data-ready', 'error');
    });
  }

  function loadLists() {
    var get = function (url) {
      return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : {}; }).catch(function () { return {}; });
    };
    return Promise.all([get(urls.posts), get(urls.forms)]).then(function (res) {
      posts = res[0].posts || [];
      forms = res[1].forms || [];
      var datalist = $('#post-options');
      datalist.textContent = '';
      posts.forEach(function (p) { datalist.appendChild(el('option', { value: p })); });
      renderPanel();
    });
  }

  if (editable) {
    eventBus.on('commandStack.changed', function (e) { if (e.trigger !== 'clear') { markDirty(true); } });
    $('#btn-save').addEventListener('click', save);
    $('#file-upload').addEventListener('change', function (e) { upload(e.target.files[0]); e.target.value = ''; });
    window.addEventListener('beforeunload', function (e) { if (dirty) { e.preventDefault(); e.returnValue = ''; } });
  }
  $('#btn-check').addEventListener('click', check);
  $('#btn-download').addEventListener('click', download);
  document.addEventListener('click', function (e) {
    if (!e.target.closest || !e.target.closest('.problem-badge')) {
      root.querySelectorAll('.problem-pop').forEach(function (p) { p.hidden = true; });
    }
  });

  // ---- simulation -------------------------------------------------------------------------------------

  var sim = { on: false, state: null };
  var simBox = $('#sim');
  var simBody = $('#sim-body');
  var simButton = $('#btn-simulate');

  function clearSimMarkers() {
    registry.forEach(function (x) {
      canvas.removeMarker(x, 'sim-done');
      canvas.removeMarker(x, 'sim-active');
      canvas.removeMarker(x, 'sim-end');
    });
  }

  function markSim(state) {
    clearSimMarkers();
    (state.completed || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'sim-done'); } });
    (state.active || []).forEach(function (id) {
      if (registry.get(id)) { canvas.removeMarker(id, 'sim-done'); canvas.addMarker(id, 'sim-active'); }
    });
    var pairs = {};
    (state.flows || []).forEach(function (p) { pairs[p[0] + '>' + p[1]] = true; });
    registry.filter(function (x) { return is(x, 'bpmn:SequenceFlow'); }).forEach(function (flow) {
      if (flow.source && flow.target && pairs[flow.source.id + '>' + flow.target.id]) { canvas.addMarker(flow, 'sim-done'); }
    });
    if (state.end_id && registry.get(state.end_id)) { canvas.addMarker(state.end_id, 'sim-end'); }
  }

  function when(iso) {
    if (!iso) { return ''; }
    return new Date(iso).toLocaleString(LANG === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', hour12: false });
  }

  function fieldInput(f) {
    var name = 'sim-' + f.name;
    var input;
    if (f.kind === 'choice') {
      input = el('select', { name: f.name, id: name }, [el('option', { value: '', text: '—' })].concat(
        f.choices.map(function (c) { return el('option', { value: c.value, text: c.title }); })));
    } else if (f.kind === 'boolean') {
      input = el('input', { type: 'checkbox', name: f.name, id: name });
    } else if (f.kind === 'text') {
      input = el('textarea', { name: f.name, id: name, rows: '2' });
    } else {
      var type = f.kind === 'date' ? 'date' : (f.kind === 'number' || f.kind === 'integer') ? 'number' : 'text';
      input = el('input', { type: type, name: f.name, id: name, step: type === 'number' ? 'any' : null });
    }
    return el('div', { class: 'sim-field' + (f.kind === 'boolean' ? ' check' : '') },
      f.kind === 'boolean'
        ? [el('label', { 'for': name }, [input, ' ' + f.title])]
        : [el('label', { 'for': name, text: f.title + (f.required ? ' *' : '') }), input]);
  }

  function collect(form) {
    var data = {};
    form.querySelectorAll('[name]').forEach(function (input) {
      if (input.type === 'checkbox') { data[input.name] = input.checked ? 'true' : 'false'; } else if (input.value !== '') { data[input.name] = input.value; }
    });
    return data;
  }

  function renderSim(state, error) {
    simBody.textContent = '';
    simBody.appendChild(el('p', { class: 'hint', text: dirty ? T.simUnsaved : T.simSaved }));
    if (error) { simBody.appendChild(el('p', { class: 'sim-error', role: 'alert', text: T.simError + error })); }
    if (!state) { return; }
    simBody.appendChild(el('p', {}, [el('strong', { text: T.simNow + '：' }), when(state.now)]));
    if (state.fired && state.fired.length) {
      simBody.appendChild(el('p', { class: 'sim-fired', text: fmt(T.simFired, { names: state.fired.join('、') }) }));
    }
    if (state.notes && state.notes.length) {
      simBody.appendChild(el('details', { class: 'sim-notes' }, [el('summary', { text: T.simNotes })].concat(
        state.notes.map(function (n) { return el('p', { text: n }); }))));
    }
    if (state.finished) {
      simBody.appendChild(el('p', { class: 'sim-finished', role: 'status', text: fmt(T.simFinished, { end: state.end_name || state.end_id || '' }) }));
    }
    simBody.appendChild(el('h3', { text: T.simReady }));
    if (!state.ready.length) { simBody.appendChild(el('p', { class: 'hint', text: T.simNone })); }
    state.ready.forEach(function (task) {
      var form = el('form', { class: 'sim-task', 'data-task': task.bpmn_id });
      form.appendChild(el('h4', {}, [task.name, ' ', el('small', { text: (task.lane ? T.simLane + '：' + task.lane : '') +
        (task.due ? ' · ' + T.simDue + '：' + when(task.due) : '') })]));
      task.fields.forEach(function (f) { form.appendChild(fieldInput(f)); });
      form.appendChild(el('button', { type: 'submit', text: T.simComplete + '「' + task.name + '」' }));
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        simCall(urls.step, { state: sim.state.token, task_id: task.id, data: collect(form) });
      });
      form.addEventListener('focusin', function () { var x = registry.get(task.bpmn_id); if (x) { focusElement(x); } });
      simBody.appendChild(form);
    });
    simBody.appendChild(el('h3', { text: T.simTimers }));
    if (!state.timers.length) { simBody.appendChild(el('p', { class: 'hint', text: T.simNoTimers })); }
    var ul = el('ul', { class: 'sim-timers' }, state.timers.map(function (t) {
      return el('li', { text: (t.attached_to ? t.attached_to + ' · ' : '') + (t.name || t.element_id) + '：' + when(t.due) });
    }));
    simBody.appendChild(ul);
    var advance = el('button', { type: 'button', id: 'btn-sim-timer', disabled: !state.timers.length, text: T.simTimer });
    advance.addEventListener('click', function () { simCall(urls.timer, { state: sim.state.token }); });
    var restart = el('button', { type: 'button', class: 'secondary', text: T.simRestart });
    restart.addEventListener('click', function () { simCall(urls.simulate, {}); });
    simBody.appendChild(el('p', { class: 'sim-actions' }, [advance, ' ', restart]));
  }

  function simCall(url, body) {
    simBody.classList.add('busy');
    return postJSON(url, body).then(function (r) {
      simBody.classList.remove('busy');
      if (!r.ok) { renderSim(sim.state, r.data.error || r.status); return; }
      sim.state = r.data;
      markSim(r.data);
      renderSim(r.data);
    }).catch(function (err) {
      simBody.classList.remove('busy');
      console.error(err);
      renderSim(sim.state, T.network);
    });
  }

  function toggleSim() {
    sim.on = !sim.on;
    simBox.hidden = !sim.on;
    $('#props').hidden = sim.on;
    root.classList.toggle('simulating', sim.on);
    simButton.textContent = sim.on ? T.simStop : T.simStart;
    if (sim.on) {
      sim.state = null;
      renderSim(null);
      simCall(urls.simulate, {});
    } else {
      clearSimMarkers();
    }
  }

  if (simButton) { simButton.addEventListener('click', toggleSim); }

  renderPanel();
  loadLists();
  load();
  window.sunshineModeler = { modeler: modeler, save: save, check: check, problems: function () { return lastProblems; } };
}());
