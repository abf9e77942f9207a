// Every word the field app shows, Chinese first, English on the switch. The choice is kept
// on the phone and sent to the API as Accept-Language, so refusal reasons come in it too.
const words = {
  zh: {
    title: '网格协执', username: '用户名', password: '密码', signIn: '登录', signOut: '退出',
    signInOffline: '登录需要网络，请连上网络后再试', signInFailed: '登录失败：{reason}',
    sync: '同步', syncing: '正在同步…', lastSync: '上次同步：{time}', neverSynced: '尚未同步',
    syncFailed: '同步失败：{reason}', offline: '离线：记录保存在手机上，联网后自动发送',
    online: '在线', storageRefused: '浏览器未允许持久存储：清理浏览器数据或空间不足时，未发送的记录可能丢失。请尽快同步。',
    'tab.report': '上报线索', 'tab.leads': '我的线索', 'tab.wanted': '被执行人', 'tab.tasks': '任务',
    notForRole: '此应用供网格协执员、调解员和执行干警使用，请使用法院桌面系统',
    kind: '线索类型', description: '内容', debtor: '被执行人（可选）', noDebtor: '不指定',
    position: '位置', locate: '重新定位', locating: '正在定位…',
    located: '经度 {lon}，纬度 {lat}，精度约 {acc} 米', noPosition: '未取得位置（可不带位置上报）',
    submit: '保存线索', saved: '已保存，联网后发送', required: '请填写内容',
    waiting: '待发送', sent: '已发送', refused: '被拒绝', reason: '原因：{reason}',
    noLeads: '还没有上报线索', noWanted: '没有被执行人（同步后显示本网格名单）',
    noTasks: '没有任务', due: '截止 {date}', dishonest: '失信', restricted: '限制消费',
    exitRestricted: '限制出境', cases: '案号：{numbers}', wiped: '此设备已被停用，本机数据已清除',
    'kind.debtor_whereabouts': '被执行人下落', 'kind.real_estate': '不动产', 'kind.vehicle': '车辆',
    'kind.livestock_or_crops': '牲畜或农作物', 'kind.wages_or_income': '工资或收入',
    'kind.high_consumption': '高消费', 'kind.hidden_transfer': '隐匿转移财产', 'kind.other': '其他',
    'task.open': '进行中', 'task.closed': '已结束', 'task.cancelled': '已取消',
    language: 'English',
  },
  en: {
    title: 'Grid assistant', username: 'Username', password: 'Password', signIn: 'Sign in',
    signOut: 'Sign out', signInOffline: 'Signing in needs the network; try again when online',
    signInFailed: 'Sign-in failed: {reason}', sync: 'Sync', syncing: 'Syncing…',
    lastSync: 'Last sync: {time}', neverSynced: 'Not synced yet', syncFailed: 'Sync failed: {reason}',
    offline: 'Offline: records are kept on the phone and sent when online', online: 'Online',
    storageRefused: 'The browser did not grant persistent storage: clearing browser data or low space may lose records not yet sent. Sync soon.',
    'tab.report': 'Report', 'tab.leads': 'My leads', 'tab.wanted': 'Wanted', 'tab.tasks': 'Tasks',
    notForRole: 'This app is for grid assistants, mediators and officers; please use the court\'s desk console',
    kind: 'Kind', description: 'What you saw', debtor: 'Debtor (optional)', noDebtor: 'None',
    position: 'Position', locate: 'Locate again', locating: 'Locating…',
    located: 'Lon {lon}, lat {lat}, within about {acc} m', noPosition: 'No position (you may report without one)',
    submit: 'Save lead', saved: 'Saved; it is sent when online', required: 'Please describe what you saw',
    waiting: 'Waiting', sent: 'Sent', refused: 'Refused', reason: 'Reason: {reason}',
    noLeads: 'No leads reported yet', noWanted: 'No wanted debtors (your grids\' list comes with a sync)',
    noTasks: 'No tasks', due: 'Due {date}', dishonest: 'Dishonest', restricted: 'Consumption restricted',
    exitRestricted: 'Exit restricted', cases: 'Cases: {numbers}', wiped: 'This device was revoked; its data was wiped',
    'kind.debtor_whereabouts': 'Debtor whereabouts', 'kind.real_estate': 'Real estate',
    'kind.vehicle': 'Vehicle', 'kind.livestock_or_crops': 'Livestock or crops',
    'kind.wages_or_income': 'Wages or income', 'kind.high_consumption': 'High consumption',
    'kind.hidden_transfer': 'Hidden transfer', 'kind.other': 'Other',
    'task.open': 'Open', 'task.closed': 'Closed', 'task.cancelled': 'Cancelled',
    language: '中文',
  },
};

// A screen module adds its own words here, so each screen keeps its words beside its code.
export function addWords(more) {
  for (const language of Object.keys(words)) Object.assign(words[language], more[language]);
}

const KEY = 'gridwork.app.lang';
let current = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';

export const lang = () => (current === 'en' ? 'en' : 'zh-CN');
export function toggleLang() {
  current = current === 'en' ? 'zh' : 'en';
  localStorage.setItem(KEY, current);
  document.documentElement.lang = lang();
}
export function t(key, values = {}) {
  const text = words[current][key] ?? words.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}
export const LEAD_KINDS = ['debtor_whereabouts', 'real_estate', 'vehicle', 'livestock_or_crops',
  'wages_or_income', 'high_consumption', 'hidden_transfer', 'other'];
