// The webhook editor's live preview: as the admin types, the form is posted (debounced, one
// request at a time) to /admin/webhooks/preview and the answer fills the preview panel. Text goes
// in with textContent only. Without JavaScript the "Preview" button does the same with a page load.
(() => {
  const form = document.getElementById("webhook-form");
  const csrf = document.querySelector('meta[name="csrf-token"]');
  if (!form || !csrf) return;
  const status = document.getElementById("preview-status");
  const issues = document.getElementById("preview-issues");
  const message = document.getElementById("preview-message");
  const columns = document.getElementById("wh-columns");
  const panel = document.getElementById("preview-panel");
  const FIELDS = [
    "url",
    "username",
    "avatarUrl",
    "table",
    "when",
    "template",
    "mentionUserColumns",
    "sample",
  ];
  let timer = null;
  let inFlight = null;

  const marker = (when, list) => {
    let pre = document.getElementById("when-marker");
    const issue = list.find((i) => i.path[0] === "when" && typeof i.position === "number");
    if (!issue || when === "") {
      if (pre) pre.remove();
      return;
    }
    if (!pre) {
      pre = document.createElement("pre");
      pre.id = "when-marker";
      pre.className = "when-marker";
      panel.insertBefore(pre, message);
    }
    const mark = document.createElement("mark");
    mark.textContent = when.slice(issue.position, issue.position + 1) || " ";
    pre.replaceChildren(when.slice(0, issue.position), mark, when.slice(issue.position + 1));
  };

  const show = (view) => {
    const list = view.issues || [];
    issues.replaceChildren(
      ...list.map((issue) => {
        const li = document.createElement("li");
        const where = document.createElement("strong");
        where.textContent = issue.path.join(".");
        li.append(where, `: ${issue.message}`);
        li.dataset.field = String(issue.path[0] ?? "");
        return li;
      }),
    );
    for (const field of FIELDS) {
      const input = document.getElementById(`wh-${field}`);
      if (input)
        input.classList.toggle(
          "invalid",
          list.some((i) => i.path[0] === field),
        );
    }
    marker(form.elements.when.value.trim(), list);
    if (view.problem) status.textContent = view.problem;
    else if (!view.ok) status.textContent = `${list.length} problem(s):`;
    else if (view.whenMatches === false)
      status.textContent = "The WHEN condition does not let this row through: no message would be sent.";
    else status.textContent = "This row would send:";
    status.className = view.ok ? "ok" : "bad";
    message.hidden = !view.ok;
    message.textContent = view.ok ? view.content : "";
    if (view.columns) {
      columns.replaceChildren(
        "Columns: ",
        ...view.columns.flatMap((c, i) => {
          const code = document.createElement("code");
          code.textContent = c.name;
          return i > 0 ? [", ", code] : [code];
        }),
      );
    }
  };

  const run = async () => {
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    try {
      const res = await fetch("/admin/webhooks/preview", {
        method: "POST",
        headers: { accept: "application/json", "x-csrf-token": csrf.content },
        body: new URLSearchParams(new FormData(form)),
        signal: controller.signal,
      });
      if (!res.ok) {
        status.textContent = res.status === 413 ? "Too large to preview." : `Preview failed (${res.status}).`;
        return;
      }
      show(await res.json());
    } catch (error) {
      if (error.name !== "AbortError") status.textContent = "Preview failed.";
    } finally {
      if (inFlight === controller) inFlight = null;
    }
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(run, 300);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.dataset.live = "on";
})();
