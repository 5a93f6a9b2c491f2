// The operations dashboard: every figure comes from the public API with the credentials the person typed (or
// passed as `#token=...`), kept in this tab's sessionStorage. Each panel is a chart, the same figures as a table
// (for screen readers and copying) and a CSV of that table. A service that cannot answer greys out its own
// panels only. Staff see the whole base; a partner sees its own institution.
"use strict";
(() => {
  const TEXT = {
    en: {
      title: "Panda cooperation dashboard", language: "Language", signIn: "Sign in", signOut: "Sign out",
      signInHelp: "Paste an API key or a JWT. It is kept in this tab only (sessionStorage).",
      credential: "API key or token", badCredential: "These credentials were refused.",
      notAllowed: "This key may not read the dashboard: it needs an analyst's role or above, or a partner's.",
      wholeBase: "The whole base", partnerScope: "Your institution only", unavailable: "unavailable",
      serviceUnavailable: "The {service} service is unavailable: these figures cannot be shown now.",
      csv: "Download CSV", tryAgain: "The API could not answer; reload the page to try again.", failed: "These figures could not be read", loading: "Loading…", none: "Nothing to show",
      partnersByCountry: "Partners on the world map", partnersByKind: "Partners by kind",
      agreementsByState: "Agreements by state", agreementsByKind: "Agreements by kind",
      agreementsExpiring: "Agreements ending in the next 90 days", pandas: "Pandas",
      trainingByYear: "Training by year", trainingByCountry: "Training by country",
      outreachByMonth: "Outreach by month", outreachByKind: "Outreach by kind",
      outreachUpcoming: "Events in the next 30 days", worksByYear: "Works per year",
      worksByType: "Works by type", openAccess: "Open access", worksByArea: "Research areas",
      impact: "Impact of the cooperation", yourAgreements: "Your agreements",
      country: "Country", kind: "Kind", state: "State", partners: "Partners", agreements: "Agreements",
      year: "Year", month: "Month", participants: "Participants", completions: "Completions",
      certificates: "Certificates", events: "Events held", attendance: "Attendance", works: "Works",
      type: "Type", area: "Area", share: "Share", figure: "Figure", count: "Count", code: "Code",
      ends: "Ends on", event: "Event", starts: "Starts", places: "Places left",
      openAccessWorks: "Open access", closedWorks: "Not open access", atBase: "At the base or elsewhere",
      onLoan: "On loan", worksPublished: "Works published", traineesCompleted: "Trainees completed",
      certificatesIssued: "Certificates issued", outreachEventsHeld: "Outreach events held",
      outreachAttendance: "Outreach attendance",
      impactByPartner: "Impact per partner", impactByAgreement: "Impact per agreement", partner: "Partner",
      agreement: "Agreement", pandasWhere: "Where each panda is", loansEnding: "Loans ending in the next 180 days",
      cubsAbroad: "Cubs born abroad", panda: "Panda", where: "Where", until: "Until", born: "Born",
      atTheBase: "At the base", cohortSeats: "Seats and waitlists per cohort", cohort: "Cohort",
      capacity: "Capacity", taken: "Seats taken", waitlist: "Waitlist", pandasAt: "Pandas", days: "days",
    },
    zh: {
      title: "大熊猫合作数据看板", language: "语言", signIn: "登录", signOut: "退出",
      signInHelp: "粘贴 API 密钥或 JWT。它只保存在此标签页中（sessionStorage）。",
      credential: "API 密钥或令牌", badCredential: "凭据被拒绝。",
      notAllowed: "此密钥无权查看看板：需要分析员及以上角色，或合作伙伴角色。",
      wholeBase: "整个基地", partnerScope: "仅限贵机构", unavailable: "不可用",
      serviceUnavailable: "{service} 服务不可用：暂时无法显示这些数据。",
      csv: "下载 CSV", tryAgain: "API 暂时无法应答；请刷新页面重试。", failed: "无法读取这些数据", loading: "加载中…", none: "暂无数据",
      partnersByCountry: "合作伙伴世界分布", partnersByKind: "合作伙伴类型",
      agreementsByState: "协议状态", agreementsByKind: "协议类型",
      agreementsExpiring: "未来 90 天内到期的协议", pandas: "大熊猫",
      trainingByYear: "各年培训", trainingByCountry: "各国培训",
      outreachByMonth: "各月科普活动", outreachByKind: "科普活动类型",
      outreachUpcoming: "未来 30 天的活动", worksByYear: "各年成果",
      worksByType: "成果类型", openAccess: "开放获取", worksByArea: "研究领域",
      impact: "合作成效", yourAgreements: "贵机构的协议",
      country: "国家", kind: "类型", state: "状态", partners: "合作伙伴", agreements: "协议",
      year: "年份", month: "月份", participants: "参加人数", completions: "结业人数",
      certificates: "证书", events: "已举办活动", attendance: "参加人次", works: "成果",
      type: "类型", area: "领域", share: "占比", figure: "指标", count: "数量", code: "编号",
      ends: "到期日", event: "活动", starts: "开始", places: "剩余名额",
      openAccessWorks: "开放获取", closedWorks: "非开放获取", atBase: "在基地或其他地方",
      onLoan: "借展中", worksPublished: "已发表成果", traineesCompleted: "结业学员",
      certificatesIssued: "已颁发证书", outreachEventsHeld: "已举办科普活动",
      outreachAttendance: "科普活动参加人次",
      impactByPartner: "各合作伙伴成效", impactByAgreement: "各协议成效", partner: "合作伙伴",
      agreement: "协议", pandasWhere: "每只大熊猫的所在地", loansEnding: "未来 180 天内结束的借展",
      cubsAbroad: "海外出生的幼仔", panda: "大熊猫", where: "所在地", until: "截至", born: "出生",
      atTheBase: "在基地", cohortSeats: "各期培训名额与候补", cohort: "培训期",
      capacity: "名额", taken: "已占名额", waitlist: "候补", pandasAt: "大熊猫", days: "天",
    },
  };
  // The API's names of kinds, states and types, as each language says them; a name not here is shown as sent.
  const TERMS = {
    en: {
      zoo: "Zoo", university: "University", research_institute: "Research institute",
      government_agency: "Government agency", ngo: "NGO", foundation: "Foundation", other: "Other",
      panda_loan: "Panda loan", research_cooperation: "Research cooperation",
      training_cooperation: "Training cooperation", framework: "Framework", cultural_exchange: "Cultural exchange",
      draft: "Draft", negotiating: "Negotiating", signed: "Signed", active: "Active", expired: "Expired",
      terminated: "Terminated",
      classroom: "Classroom", hands_on_course: "Hands-on course", lecture: "Lecture", exhibition: "Exhibition",
      museum_tour: "Museum tour", bookstore_event: "Bookstore event", online_broadcast: "Online broadcast",
      school_visit: "School visit", festival: "Festival",
      journal_article: "Journal article", book: "Book", book_chapter: "Book chapter",
      conference_paper: "Conference paper", report: "Report", popular_science_book: "Popular science book",
      popular_article: "Popular article", thesis: "Thesis", dataset: "Dataset", edited_book: "Edited book",
      manual: "Manual", web_resource: "Web resource", patent: "Patent", software: "Software",
      partnerships: "partnerships", training: "training", outreach: "outreach", publications: "publications",
      protection: "Protection", breeding: "Breeding", disease_treatment: "Disease treatment",
      epidemic_prevention: "Epidemic prevention", wild_population: "Wild population", habitat: "Habitat",
      genetics: "Genetics", education: "Education",
    },
    zh: {
      zoo: "动物园", university: "大学", research_institute: "研究机构", government_agency: "政府机构",
      ngo: "非政府组织", foundation: "基金会", other: "其他",
      panda_loan: "大熊猫借展", research_cooperation: "科研合作", training_cooperation: "培训合作",
      framework: "框架协议", cultural_exchange: "文化交流",
      draft: "草稿", negotiating: "洽谈中", signed: "已签署", active: "生效中", expired: "已到期",
      terminated: "已终止",
      classroom: "科普课堂", hands_on_course: "实践课程", lecture: "讲座", exhibition: "展览",
      museum_tour: "博物馆导览", bookstore_event: "书店活动", online_broadcast: "线上直播",
      school_visit: "进校园", festival: "节庆活动",
      journal_article: "期刊论文", book: "图书", book_chapter: "图书章节", conference_paper: "会议论文",
      report: "报告", popular_science_book: "科普图书", popular_article: "科普文章", thesis: "学位论文",
      dataset: "数据集", edited_book: "编著", manual: "手册", web_resource: "网络资源", patent: "专利",
      software: "软件",
      partnerships: "合作伙伴", training: "培训", outreach: "科普", publications: "出版",
      protection: "保护", breeding: "繁育", disease_treatment: "疾病治疗", epidemic_prevention: "疫病防控",
      wild_population: "野外种群", habitat: "栖息地", genetics: "遗传", education: "科普教育",
    },
  };
  const STAFF = ["analyst", "coordinator", "admin"];
  const KEY = "dashboard.credential";
  const LANGUAGE = "dashboard.language";
  let language = sessionStorage.getItem(LANGUAGE) || (navigator.language.startsWith("zh") ? "zh" : "en");
  let countries = null; // ISO 3166-1 alpha-2 -> {numeric, en, zh}
  let worldMap = null; // loaded once: the Natural Earth shapes, named by alpha-2
  const charts = [];

  const $ = (id) => document.getElementById(id);
  const t = (key) => TEXT[language][key] ?? key;
  const term = (name) => TERMS[language][name] ?? name;
  // Days as the person's own calendar has them (in Beijing, "today" begins at midnight there, not in UTC).
  const dayIn = (days) => {
    const d = new Date(Date.now() + days * 86400000);
    return [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((n) => String(n).padStart(2, "0")).join("-");
  };
  const today = () => dayIn(0);
  const localized = (text) => (text && (text[language === "zh" ? "zh-Hans" : "en"] ?? text.zh ?? text.en
                                        ?? Object.values(text)[0])) || "";
  const countryName = (code) => (countries && countries[code] ? countries[code][language] : code);

  // A JWT is three base64url parts; anything else is an API key.
  const headersFor = (credential) => (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential)
    ? { Authorization: `Bearer ${credential}` } : { "X-API-Key": credential });

  class Unavailable extends Error {}

  async function api(path, params) {
    const url = new URL(path, location.origin);
    for (const [k, v] of Object.entries(params || {})) url.searchParams.set(k, v);
    const r = await fetch(url, { headers: { ...headersFor(sessionStorage.getItem(KEY) || ""),
                                            "Accept-Language": language === "zh" ? "zh-Hans" : "en" } });
    if (r.status >= 500) throw new Unavailable(String(r.status));
    if (!r.ok) throw Object.assign(new Error(String(r.status)), { status: r.status });
    return r.json();
  }

  async function allPages(path, params) {
    const items = [];
    let cursor = null;
    do {
      const page = await api(path, { ...params, limit: 100, ...(cursor ? { cursor } : {}) });
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && items.length < 5000);
    return items;
  }

  // --- panels -------------------------------------------------------------------------------------------

  function section(id, service, titleKey) {
    const el = document.createElement("section");
    el.className = "panel";
    el.dataset.panel = id;
    el.dataset.service = service;
    el.dataset.state = "loading";
    el.setAttribute("aria-busy", "true");
    el.innerHTML = `<h2></h2><p class="status"></p>`;
    el.querySelector("h2").textContent = t(titleKey);
    el.querySelector(".status").textContent = t("loading");
    $("panels").append(el);
    return el;
  }

  function unavailable(el) {
    el.dataset.state = "unavailable";
    el.removeAttribute("aria-busy");
    say(el, t("serviceUnavailable").replace("{service}", term(el.dataset.service)));
  }

  function say(el, text) {
    const status = el.querySelector(".status");
    status.textContent = text;
    status.hidden = false;
  }

  // Refused (403) or not found: said in the panel, and the rest of the page goes on.
  function failed(el, error) {
    el.dataset.state = "failed";
    el.removeAttribute("aria-busy");
    say(el, `${t("failed")} (${error.message})`);
  }

  function csvOf(columns, rows) {
    const cell = (v) => {
      // A text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text.
      const s = typeof v === "string" && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v ?? "");
      return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    };
    // RFC 4180 lines; the byte order mark tells spreadsheet programs it is UTF-8 (Chinese names stay readable).
    return "\uFEFF" + [columns, ...rows.map((r) => r.cells)].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
  }

  // rows: [{key, cells: [label, figure, ...]}]; chart(el) draws the figures; the table holds the same ones.
  function fill(el, columns, rows, option) {
    el.dataset.state = "ready";
    el.removeAttribute("aria-busy");
    el.querySelector(".status").hidden = true;
    const body = document.createElement("div");
    body.className = "body";
    const chart = document.createElement("div");
    chart.className = "chart";
    chart.setAttribute("role", "img");
    chart.setAttribute("aria-label", el.querySelector("h2").textContent);
    const table = document.createElement("table");
    const caption = table.createCaption();
    caption.textContent = el.querySelector("h2").textContent;
    const head = table.createTHead().insertRow();
    for (const c of columns) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = c;
      head.append(th);
    }
    const tbody = table.createTBody();
    for (const row of rows) {
      const tr = tbody.insertRow();
      tr.dataset.key = row.key;
      row.cells.forEach((v, i) => {
        const cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) cell.scope = "row";
        cell.textContent = v;
        tr.append(cell);
      });
    }
    const csv = document.createElement("a");
    csv.className = "csv";
    csv.textContent = t("csv");
    csv.download = `${el.dataset.panel}.csv`;
    csv.href = URL.createObjectURL(new Blob([csvOf(columns, rows)], { type: "text/csv;charset=utf-8" }));
    const figures = document.createElement("div");
    figures.className = "figures";
    figures.append(table, csv);
    if (rows.length === 0) {
      const empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = t("none");
      figures.prepend(empty);
    }
    body.append(chart, figures);
    el.append(body);
    const job = { el, chart, option: () => option(rows) };
    if (librariesReady && worldMap && visible(chart)) draw(job);
    else pending.push(job);
  }

  // Charts on screen are drawn as their figures arrive; the others after the first view is complete, one at a
  // time between other work, so the first view does not wait for charts nobody can see yet.
  const pending = [];
  let librariesReady = false;
  let librariesLoaded = null;
  // The page preloads the charting libraries (<link rel="preload">); they run once the first view's requests
  // have left, since running them holds the page's only thread for a fifth of a second.
  function loadLibraries() {
    librariesLoaded ??= Promise.all(["echarts.min.js", "topojson-client.min.js"].map((name) => new Promise(
      (resolve, reject) => {
        const script = document.createElement("script");
        script.src = `/dashboard/assets/vendor/${name}`;
        script.async = false; // in this order
        script.onload = resolve;
        script.onerror = () => reject(new Error(`${name} did not load`));
        document.head.append(script);
      }))).then(() => { librariesReady = true; });
    return librariesLoaded;
  }

  function visible(element) {
    const box = element.getBoundingClientRect();
    return box.top < window.innerHeight && box.bottom > 0;
  }

  function draw(job) {
    if (!job.el.isConnected) return; // a panel of an earlier view (the language changed meanwhile)
    const started = performance.now();
    try {
      const drawn = echarts.init(job.chart, null, { renderer: "canvas" });
      charts.push(drawn);
      drawn.setOption({ aria: { enabled: true }, animation: false, tooltip: {}, ...job.option() });
    } catch (e) {
      failed(job.el, e);
    }
    job.el.dataset.drawMs = String(Math.round(performance.now() - started));
  }

  function drawVisible() {
    if (!librariesReady || !worldMap) return;
    for (const job of pending.filter((j) => visible(j.chart))) {
      pending.splice(pending.indexOf(job), 1);
      draw(job);
    }
  }

  async function drawTheRest(generation) {
    while (pending.length && generation === shown) {
      draw(pending.shift());
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the page answer the person in between
    }
  }

  // One bar series per figure column (a legend when there are several); `only` draws that column alone.
  const bars = (columns = ["", ""], only = null) => (rows) => ({
    legend: columns.length > 2 && only === null ? {} : undefined,
    grid: { left: 48, right: 16, top: 32, bottom: 56 },
    xAxis: { type: "category", data: rows.map((r) => r.cells[0]), axisLabel: { rotate: rows.length > 6 ? 40 : 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: columns.slice(1).map((name, i) => ({ name, type: "bar", data: rows.map((r) => r.cells[i + 1]) }))
      .filter((_, i) => only === null || i + 1 === only),
  });
  const line = (columns) => (rows) => ({
    ...bars(columns)(rows),
    series: columns.slice(1).map((name, i) => ({ name, type: "line", data: rows.map((r) => r.cells[i + 1]) })),
  });
  const pie = () => (rows) => ({
    series: [{ type: "pie", radius: ["35%", "70%"], data: rows.map((r) => ({ name: r.cells[0], value: r.cells[1] })) }],
  });
  const world = () => (rows) => ({
    visualMap: { min: 0, max: Math.max(1, ...rows.map((r) => r.cells[1])), left: 8, bottom: 8,
                 inRange: { color: ["#e0f3db", "#2b8a3e"] }, calculable: false },
    // No labels, no selection: 177 shapes drawn once, the country named by the tooltip and the table.
    series: [{ type: "map", map: "world", roam: false, label: { show: false }, selectedMode: false,
               emphasis: { label: { show: false } }, select: { disabled: true },
               tooltip: { formatter: (p) => `${countryName(p.name)}: ${Number.isNaN(p.value) ? 0 : p.value}` },
               data: rows.map((r) => ({ name: r.key, value: r.cells[1] })) }],
  });

  const byCount = (object) => Object.entries(object || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

  function panel(id, service, titleKey, load) {
    const el = section(id, service, titleKey);
    return async () => {
      try {
        const drawn = await load();
        if (!el.isConnected) return; // an earlier view's panel
        if (drawn === null) unavailable(el);
        else fill(el, ...drawn);
      } catch (e) {
        if (e instanceof Unavailable) unavailable(el);
        else failed(el, e);
      }
    };
  }

  // What each figure is, given the service's answer (null: the service could not answer).
  const figures = {
    partnersByCountry: (p) => [[t("country"), t("partners")],
      byCount(p.partners_by_country).map(([k, v]) => ({ key: k, cells: [countryName(k), v] })), world()],
    partnersByKind: (p) => [[t("kind"), t("partners")],
      byCount(p.partners_by_kind).map(([k, v]) => ({ key: k, cells: [term(k), v] })), pie()],
    agreementsByState: (p) => [[t("state"), t("agreements")],
      byCount(p.agreements_by_state).map(([k, v]) => ({ key: k, cells: [term(k), v] })), bars()],
    agreementsByKind: (p) => [[t("kind"), t("agreements")],
      byCount(p.agreements_by_kind).map(([k, v]) => ({ key: k, cells: [term(k), v] })), bars()],
    pandas: (p) => [[t("figure"), t("count")], [
      { key: "on_loan", cells: [t("onLoan"), p.pandas_on_loan] },
      { key: "not_on_loan", cells: [t("atBase"), p.pandas - p.pandas_on_loan] }], pie()],
    trainingByYear: (s) => {
      const columns = [t("year"), t("participants"), t("completions")];
      return [columns, [...s.by_year].sort((a, b) => a.year - b.year)
        .map((y) => ({ key: String(y.year), cells: [String(y.year), y.participants, y.completions] })), bars(columns)];
    },
    trainingByCountry: (s) => {
      const columns = [t("country"), t("participants"), t("completions")];
      return [columns, s.by_country.map((c) => ({ key: c.country,
        cells: [countryName(c.country), c.participants, c.completions] })), bars(columns)];
    },
    outreachByMonth: (s) => {
      const columns = [t("month"), t("events"), t("attendance")];
      return [columns, s.by_month.map((m) => ({ key: m.month, cells: [m.month, m.events_held, m.attendance] })),
        line(columns)];
    },
    outreachByKind: (s) => {
      const columns = [t("kind"), t("events"), t("attendance")];
      return [columns, s.by_kind.map((k) => ({ key: k.kind, cells: [term(k.kind), k.events_held, k.attendance] })),
        bars(columns)];
    },
    worksByYear: (w) => [[t("year"), t("works")],
      Object.entries(w.by_year).sort().map(([k, v]) => ({ key: k, cells: [k, v] })), bars()],
    worksByType: (w) => [[t("type"), t("works")],
      byCount(w.by_type).filter(([, v]) => v > 0).map(([k, v]) => ({ key: k, cells: [term(k), v] })), pie()],
    openAccess: (w) => [[t("figure"), t("works")], [
      { key: "open_access", cells: [t("openAccessWorks"), w.open_access.works] },
      { key: "closed", cells: [t("closedWorks"), w.works - w.open_access.works] }], pie()],
    worksByArea: (w) => [[t("area"), t("works")],
      byCount(w.by_area).filter(([, v]) => v > 0).map(([k, v]) => ({ key: k, cells: [term(k), v] })), bars()],
    impact: (i) => [[t("figure"), t("count")],
      ["works_published", "trainees_completed", "certificates_issued", "outreach_events_held", "outreach_attendance"]
        .map((k) => ({ key: k, cells: [t(k.replace(/_(\w)/g, (_, c) => c.toUpperCase())), i[k]] })), bars()],
  };

  const IMPACT = ["works_published", "trainees_completed", "certificates_issued", "outreach_events_held",
                  "outreach_attendance"];
  const camel = (key) => key.replace(/_(\w)/g, (_, c) => c.toUpperCase());

  // The ledger's rows, named (a partner's name, an agreement's code); the chart stacks the first dozen's counts.
  function impactTable(ledger, idField, nameOf, firstColumn) {
    const columns = [t(firstColumn), ...IMPACT.map((k) => t(camel(k)))];
    return [columns, ledger.map((r) => ({ key: r[idField], cells: [nameOf(r[idField]), ...IMPACT.map((k) => r[k])] })),
      (rows) => ({
        legend: {}, grid: { left: 48, right: 16, top: 40, bottom: 72 },
        xAxis: { type: "category", data: rows.slice(0, 12).map((r) => r.cells[0]), axisLabel: { rotate: 30 } },
        yAxis: { type: "value", minInterval: 1 },
        series: IMPACT.slice(0, 4).map((k, i) => ({ name: columns[i + 1], type: "bar", stack: "impact",
                                                    data: rows.slice(0, 12).map((r) => r.cells[i + 1]) })),
      })];
  }

  const countBy = (rows, column) => (list) => {
    const counts = {};
    for (const r of list) counts[r.cells[column]] = (counts[r.cells[column]] || 0) + 1;
    const names = Object.keys(counts).sort((a, b) => counts[b] - counts[a] || a.localeCompare(b));
    return {
      grid: { left: 48, right: 16, top: 16, bottom: 72 },
      xAxis: { type: "category", data: names, axisLabel: { rotate: names.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1, name: rows },
      series: [{ type: "bar", data: names.map((n) => counts[n]) }],
    };
  };

  // Pandas, loans and partners, read once for the three panda panels.
  function studbook(partners) {
    const all = Promise.all([allPages("/api/v1/partnerships/pandas"), allPages("/api/v1/partnerships/loans"),
                             partners]).catch((e) => e);
    const named = (names, id) => (names[id] ? localized(names[id].name) : id);
    const hostOf = (names, loan) => {
      const p = names[loan.host_partner_id];
      return p ? `${localized(p.name)} (${countryName(p.country)})` : loan.host_partner_id;
    };
    return {
      where: from(all, ([pandas, loans, names]) => {
        const active = Object.fromEntries(loans.filter((l) => l.state === "active").map((l) => [l.panda_id, l]));
        const columns = [t("panda"), t("where"), t("until")];
        return [columns, pandas.map((p) => ({ key: p.id, cells: [localized(p.name),
          active[p.id] ? hostOf(names, active[p.id]) : t("atTheBase"), active[p.id] ? active[p.id].planned_end_date : ""] })),
          countBy(t("pandasAt"), 1)];
      }),
      ending: from(all, ([pandas, loans, names]) => {
        const byId = Object.fromEntries(pandas.map((p) => [p.id, p]));
        const until = dayIn(180);
        const columns = [t("panda"), t("where"), t("until")];
        return [columns, loans.filter((l) => l.state === "active" && l.planned_end_date <= until)
          .sort((a, b) => a.planned_end_date.localeCompare(b.planned_end_date))
          .map((l) => ({ key: l.id, cells: [named(byId, l.panda_id), hostOf(names, l), l.planned_end_date] })),
          countBy(t("pandasAt"), 1)];
      }),
      cubs: from(all, ([pandas, loans, names]) => {
        const byId = Object.fromEntries(pandas.map((p) => [p.id, p]));
        const columns = [t("panda"), t("where"), t("born")];
        return [columns, loans.filter((l) => l.mother_loan_id)
          .map((l) => ({ key: l.panda_id, cells: [named(byId, l.panda_id), hostOf(names, l),
                                                   byId[l.panda_id] ? byId[l.panda_id].birth_date : ""] })),
          countBy(t("pandasAt"), 1)];
      }),
    };
  }

  // Each program's cohorts that have not ended: capacity, seats taken and the waitlist.
  async function cohortSeats() {
    const [programs, cohorts] = await Promise.all([allPages("/api/v1/training/programs").then(byId),
                                                   allPages("/api/v1/training/cohorts", { ends_from: today() })]);
    const current = cohorts.map((cohort) => ({ program: programs[cohort.program_id] || { title: null }, cohort }))
      .sort((a, b) => a.cohort.starts_on.localeCompare(b.cohort.starts_on));
    const columns = [t("cohort"), t("capacity"), t("taken"), t("waitlist")];
    return [columns, current.map(({ program, cohort }) => ({ key: cohort.id, cells: [
      `${localized(program.title)} ${cohort.starts_on}`, cohort.capacity, cohort.seats_taken,
      cohort.waitlist_length] })), bars(columns)];
  }

  // The active agreements of `items` (every agreement this view reads) that end within 90 days.
  function agreementsEnding(items) {
    const until = dayIn(90);
    const ending = items.filter((a) => a.state === "active" && a.effective_until && a.effective_until >= today()
                                && a.effective_until <= until)
      .sort((a, b) => a.effective_until.localeCompare(b.effective_until));
    const columns = [t("code"), t("ends")];
    return [columns, ending.map((a) => ({ key: a.id, cells: [a.code, a.effective_until] })), (rows) => ({
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: "category", data: rows.map((r) => r.cells[0]) },
      yAxis: { type: "value", minInterval: 1, name: t("days") },
      series: [{ type: "bar", data: rows.map((r) => Math.round((Date.parse(r.cells[1]) - Date.parse(today())) / 86400000)) }],
    })];
  }

  async function eventsComing(params) {
    const items = await allPages("/api/v1/outreach/events", { status: "scheduled", from: today(), to: dayIn(30),
                                                                ...params });
    const columns = [t("event"), t("starts"), t("places")];
    return [columns, items.map((e) => ({ key: e.id, cells: [localized(e.title), e.starts_at_local.slice(0, 16),
                                                             e.places_left] })), bars(columns, 2)];
  }

  const byId = (items) => Object.fromEntries(items.map((item) => [item.id, item]));
  // A partner by its name, an agreement by its code; an id this view cannot name stays an id.
  const label = (known, id) => (known[id] ? known[id].code || localized(known[id].name) : id);

  // A promise's answer for a panel: its error thrown again, so one failed request greys out each panel it feeds.
  const from = (answer, make) => async () => {
    const value = await answer;
    if (value instanceof Error) throw value;
    return make(value);
  };

  function staffPanels() {
    // One summary for the figures (each service's part null when it could not answer), lists beside it.
    const summary = api("/api/v1/dashboard/summary").catch((e) => e);
    const part = (service, make) => from(summary, (s) => (s[service] ? make(s[service]) : null));
    const partners = allPages("/api/v1/partnerships/partners").then(byId);
    const agreementList = allPages("/api/v1/partnerships/agreements").catch((e) => e);
    const agreements = from(agreementList, byId)();
    const pandas = studbook(partners);
    const ledger = (field, idField, names, first) => async () => {
      const [s, known] = await Promise.all([summary, names]);
      if (s instanceof Error) throw s;
      return s.partnerships ? impactTable(s.partnerships[field], idField, (id) => label(known, id), first) : null;
    };
    return [
      ["partners-by-country", "partnerships", "partnersByCountry", part("partnerships", figures.partnersByCountry)],
      ["partners-by-kind", "partnerships", "partnersByKind", part("partnerships", figures.partnersByKind)],
      ["agreements-by-state", "partnerships", "agreementsByState", part("partnerships", figures.agreementsByState)],
      ["agreements-by-kind", "partnerships", "agreementsByKind", part("partnerships", figures.agreementsByKind)],
      ["agreements-expiring", "partnerships", "agreementsExpiring", from(agreementList, agreementsEnding)],
      ["pandas", "partnerships", "pandas", part("partnerships", figures.pandas)],
      ["pandas-where", "partnerships", "pandasWhere", pandas.where],
      ["loans-ending", "partnerships", "loansEnding", pandas.ending],
      ["cubs-abroad", "partnerships", "cubsAbroad", pandas.cubs],
      ["impact-by-partner", "partnerships", "impactByPartner",
        ledger("impact_by_partner", "partner_id", partners, "partner")],
      ["impact-by-agreement", "partnerships", "impactByAgreement",
        ledger("impact_by_agreement", "agreement_id", agreements, "agreement")],
      ["training-by-year", "training", "trainingByYear", part("training", figures.trainingByYear)],
      ["training-by-country", "training", "trainingByCountry", part("training", figures.trainingByCountry)],
      ["cohort-seats", "training", "cohortSeats", cohortSeats],
      ["outreach-by-month", "outreach", "outreachByMonth", part("outreach", figures.outreachByMonth)],
      ["outreach-by-kind", "outreach", "outreachByKind", part("outreach", figures.outreachByKind)],
      ["outreach-upcoming", "outreach", "outreachUpcoming", () => eventsComing({})],
      ["works-by-year", "publications", "worksByYear", part("publications", figures.worksByYear)],
      ["works-by-type", "publications", "worksByType", part("publications", figures.worksByType)],
      ["open-access", "publications", "openAccess", part("publications", figures.openAccess)],
      ["works-by-area", "publications", "worksByArea", part("publications", figures.worksByArea)],
    ];
  }

  function partnerPanels(partnerId) {
    const training = api("/api/v1/training/stats").catch((e) => e);
    const works = api("/api/v1/publications/stats", { partner_id: partnerId }).catch((e) => e);
    const outreach = api("/api/v1/outreach/stats").catch((e) => e);
    const own = allPages("/api/v1/partnerships/agreements", { partner_id: partnerId }).catch((e) => e);
    return [
      ["impact", "partnerships", "impact",
        async () => figures.impact(await api(`/api/v1/partnerships/partners/${partnerId}/impact`))],
      ["your-agreements", "partnerships", "yourAgreements", from(own, (items) => [
        [t("code"), t("state"), t("ends")],
        items.map((a) => ({ key: a.id, cells: [a.code, term(a.state), a.effective_until] })), countBy(t("agreements"), 1)])],
      ["agreements-expiring", "partnerships", "agreementsExpiring", from(own, agreementsEnding)],
      ["impact-by-agreement", "partnerships", "impactByAgreement", from(own, async (items) => impactTable(
        await Promise.all(items.map((a) => api(`/api/v1/partnerships/agreements/${a.id}/impact`))),
        "agreement_id", (id) => label(byId(items), id), "agreement"))],
      ["training-by-year", "training", "trainingByYear", from(training, figures.trainingByYear)],
      ["training-by-country", "training", "trainingByCountry", from(training, figures.trainingByCountry)],
      ["outreach-by-month", "outreach", "outreachByMonth", from(outreach, figures.outreachByMonth)],
      ["outreach-upcoming", "outreach", "outreachUpcoming", () => eventsComing({ partner_id: partnerId })],
      ["works-by-year", "publications", "worksByYear", from(works, figures.worksByYear)],
      ["works-by-type", "publications", "worksByType", from(works, figures.worksByType)],
      ["open-access", "publications", "openAccess", from(works, figures.openAccess)],
    ];
  }

  // --- the page -----------------------------------------------------------------------------------------

  function translate() {
    document.documentElement.lang = language === "zh" ? "zh-Hans" : "en";
    document.title = t("title");
    for (const el of document.querySelectorAll("[data-text]")) el.textContent = t(el.dataset.text);
    $("language").value = language;
  }

  function showSignIn(message) {
    $("panels").hidden = true;
    $("scope").hidden = true;
    $("who").hidden = true;
    $("sign-out").hidden = true;
    $("sign-in").hidden = false;
    $("sign-in-error").hidden = !message;
    $("sign-in-error").textContent = message || "";
    document.body.dataset.state = "signed-out";
    loadLibraries(); // ready for after the sign-in
  }

  // Started as soon as this script runs, beside the charting library's download and parse.
  // Without them the tables name countries by code and the map is empty; every other figure still shows.
  const countryNames = fetch("/dashboard/countries.json").then((r) => r.json()).catch(() => ({}));
  const topology = fetch("/dashboard/assets/vendor/countries-110m.json").then((r) => r.json())
    .catch(() => ({ type: "Topology", objects: { countries: { type: "GeometryCollection", geometries: [] } },
                    arcs: [] }));

  async function loadWorld() {
    const [shapesOf, names] = await Promise.all([topology, countryNames, loadLibraries()]);
    const byNumeric = Object.fromEntries(Object.entries(names).map(([code, c]) => [c.numeric, code]));
    const shapes = topojson.feature(shapesOf, shapesOf.objects.countries);
    for (const f of shapes.features) f.properties.name = byNumeric[f.id] || f.properties.name;
    echarts.registerMap("world", shapes);
    worldMap = shapes;
  }

  let shown = 0;

  async function show() {
    const generation = ++shown;
    for (const c of charts.splice(0)) c.dispose();
    pending.splice(0);
    for (const link of document.querySelectorAll("a.csv")) URL.revokeObjectURL(link.href); // the old view's files
    $("panels").replaceChildren();
    translate();
    if (!sessionStorage.getItem(KEY)) return showSignIn();
    let me;
    try {
      me = await api("/api/v1/me");
    } catch (e) {
      // Refused: the credentials go. Anything else (an outage, a rate limit) keeps them for the next try.
      if (e.status === 401 || e.status === 403) sessionStorage.removeItem(KEY);
      return showSignIn(e.status === 401 ? t("badCredential") : `${t("tryAgain")} (${e.message})`);
    }
    const staff = STAFF.includes(me.role);
    if (!staff && !(me.role === "partner" && me.partner_id)) {
      sessionStorage.removeItem(KEY);
      return showSignIn(t("notAllowed"));
    }
    $("sign-in").hidden = true;
    $("panels").hidden = false;
    $("sign-out").hidden = false;
    $("who").hidden = false;
    $("who").textContent = me.role;
    $("scope").hidden = false;
    $("scope").textContent = staff ? t("wholeBase") : t("partnerScope");
    document.body.dataset.state = "signed-in";
    document.body.dataset.role = me.role;
    countries = await countryNames;
    const list = staff ? staffPanels() : partnerPanels(me.partner_id);
    const answered = Promise.all(list.map(([id, service, title, load]) => panel(id, service, title, load))
      .map((run) => run()));
    // After the requests: it runs the libraries. Without them the tables still show; the charts say they failed.
    const world = worldMap ? null : loadWorld().catch(() => {});
    await answered;
    await world;
    if (generation !== shown) return;
    drawVisible();
    // The first view is complete: every panel has its figures, those on screen their chart. Milliseconds from
    // the navigation's start (the benchmark reads it); `complete` once every chart is drawn.
    document.body.dataset.readyAfterMs = String(Math.round(performance.now()));
    document.body.dataset.state = "ready";
    await drawTheRest(generation);
    if (generation === shown) document.body.dataset.state = "complete";
  }

  // Deferred: the page is parsed; the first requests leave before the libraries run (`loadLibraries`).
  {
    // A token in the fragment signs in (kiosks, automation); it leaves the address bar at once.
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.get("token")) {
      sessionStorage.setItem(KEY, fragment.get("token"));
      history.replaceState(null, "", location.pathname + location.search);
    }
    $("sign-in").addEventListener("submit", (e) => {
      e.preventDefault();
      sessionStorage.setItem(KEY, $("credential").value.trim());
      $("credential").value = "";
      show();
    });
    $("sign-out").addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      show();
    });
    $("language").addEventListener("change", () => {
      language = $("language").value;
      sessionStorage.setItem(LANGUAGE, language);
      show();
    });
    window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
    window.addEventListener("scroll", drawVisible, { passive: true });
    show();
  }
})();
