/// The desk's script, served at `/dashboard/app.js`: filters, cursor
/// paging, order drill-down and live updates from `/v1/stream` (SSE), all
/// against the same JSON API any client uses. No framework, no build step.
enum DashboardScript {
    static let source = #"""
    "use strict";
    const $ = (selector, root = document) => root.querySelector(selector);
    const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
    const deadlineMinutes = Number(document.body.dataset.deadlineMinutes || 30);
    let next = null;

    function rowHTML(f) {
      const last = f.lastReturnStatus ? f.lastReturnStatus + (f.lastReturnInfo ? " " + f.lastReturnInfo : "") : (f.lastError ? "error: " + f.lastError : "");
      return `<tr id="f-${esc(f.id)}" data-filing="${esc(f.id)}" data-order="${esc(f.orderNo)}" class="status-${esc(f.status)}${f.stuck ? " stuck" : ""}">` +
        `<td><a href="#" class="order-link">${esc(f.orderNo)}</a></td><td>${esc(f.merchant)}</td>` +
        `<td>${esc(f.kind)} ${esc(f.label)}</td><td>${esc(f.authority)}</td><td class="status">${esc(f.status)}</td>` +
        `<td class="attempts">${esc(f.attempts)}</td><td class="last">${esc(last)}</td><td>${esc(f.createdAt)}</td></tr>`;
    }

    function filterParams() {
      const params = new URLSearchParams();
      for (const field of ["status", "authority", "kind", "merchant", "orderNo"]) {
        const value = $("#filters").elements[field].value.trim();
        if (value) params.set(field, value);
      }
      params.set("limit", "100");
      return params;
    }

    async function loadFilings(append) {
      const params = filterParams();
      if (append && next) params.set("after", next);
      const response = await fetch("/v1/filings?" + params, { credentials: "same-origin" });
      if (!response.ok) return;
      const page = await response.json();
      const stuckOnly = $("#filters").elements.stuck.checked;
      const rows = page.filings.filter((f) => !stuckOnly || f.stuck).map(rowHTML).join("");
      const body = $("#filings tbody");
      body.innerHTML = append ? body.innerHTML + rows : rows;
      next = page.next;
      $("#more").hidden = !next;
    }

    async function loadCounts() {
      const response = await fetch("/v1/filings/counts", { credentials: "same-origin" });
      if (!response.ok) return;
      const counts = await response.json();
      const health = [];
      for (const [authority, row] of Object.entries(counts)) {
        let total = 0;
        for (const cell of document.querySelectorAll(`#counts tr[data-authority="${authority}"] td`)) {
          const value = row[cell.dataset.status] || 0;
          cell.textContent = value;
          cell.className = value ? "" : "zero";
          total += value;
        }
        health.push(`${authority} ${(row.rejected || 0) + (row.dead || 0)}/${total} failed`);
      }
      $("#failed-text").textContent = health.join(" · ");
    }

    async function loadHealth() {
      const response = await fetch("/v1/health", { credentials: "same-origin" });
      if (!response.ok) return;
      const health = await response.json();
      for (const [authority, lane] of Object.entries(health)) {
        const item = document.querySelector(`#health li[data-authority="${authority}"]`);
        if (!item) continue;
        item.className = "breaker-" + lane.breaker;
        $("span", item).textContent = `breaker ${lane.breaker}, ${Math.round(Number(lane.recentErrorRate) * 100)}% errors in the last ${lane.recentAttempts} attempts, ${lane.inFlight} in flight`;
      }
    }

    async function showOrder(orderNo) {
      const response = await fetch("/v1/orders/" + encodeURIComponent(orderNo), { credentials: "same-origin" });
      const order = await response.json();
      $("#order").hidden = false;
      $("#order-no").textContent = orderNo;
      if (!response.ok) { $("#order-body").textContent = order.error ? order.error.message : "not available"; return; }
      $("#order-status").textContent = order.statusText;
      $("#order-body").innerHTML = order.filings.map((f) =>
        `<h3>${esc(f.kind)} ${esc(f.label)} — ${esc(f.status)}${f.latest ? "" : " (superseded)"} <small>${esc(f.id)}</small></h3>` +
        `<table class="receipts"><thead><tr><th>received</th><th>kind</th><th>code</th><th>说明</th><th>meaning</th><th>authority's text</th></tr></thead><tbody>` +
        f.receipts.map((r) => `<tr><td>${esc(r.receivedAt)}</td><td>${esc(r.kind)}</td><td>${esc(r.returnStatus)}</td>` +
          `<td>${esc(r.explanation && r.explanation.zh)}</td><td>${esc(r.explanation && r.explanation.en)}</td><td>${esc(r.returnInfo)}</td></tr>`).join("") +
        `</tbody></table>`).join("");
    }

    let countsTimer = null;
    let listTimer = null;
    function onStatus(event) {
      const change = JSON.parse(event.data);
      const row = document.getElementById("f-" + change.filingId);
      // A filing not on the page (new, or outside the first page): read the list again with the filters.
      clearTimeout(listTimer);
      listTimer = setTimeout(() => loadFilings(false), 300);
      if (row) {
        $(".status", row).textContent = change.to;
        if (change.returnStatus) $(".last", row).textContent = change.returnStatus;
        row.className = "status-" + change.to + " flash";
      }
      if ($("#order-no").textContent === change.orderNo) showOrder(change.orderNo);
      clearTimeout(countsTimer);
      countsTimer = setTimeout(loadCounts, 300);
    }

    function follow() {
      const source = new EventSource("/v1/stream");
      source.addEventListener("open", () => { $("#live").textContent = "live"; $("#live").className = "live on"; });
      source.addEventListener("error", () => { $("#live").textContent = "reconnecting…"; $("#live").className = "live off"; });
      source.addEventListener("status", onStatus);
    }

    $("#filters").addEventListener("submit", (event) => { event.preventDefault(); loadFilings(false); });
    $("#more").addEventListener("click", () => loadFilings(true));
    $("#filings").addEventListener("click", (event) => {
      const link = event.target.closest(".order-link");
      if (!link) return;
      event.preventDefault();
      showOrder(link.closest("tr").dataset.order);
    });
    follow();
    setInterval(loadHealth, 5000);
    """#
}
