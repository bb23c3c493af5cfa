/**
 * The report's only script (inline, allowed by hash): the group and outcome filters, which hide
 * table rows and scenario cards together, the expand/collapse buttons, and opening the card a
 * summary link points at. Plain ES2020, no library.
 */
export const REPORT_SCRIPT = `(() => {
  const group = document.getElementById('filter-group');
  const outcome = document.getElementById('filter-outcome');
  const count = document.getElementById('filter-count');
  const items = Array.from(document.querySelectorAll('[data-group][data-outcome]'));
  const apply = () => {
    let shown = 0, total = 0;
    for (const el of items) {
      const visible = (!group.value || el.dataset.group === group.value) &&
        (!outcome.value || el.dataset.outcome.split(' ').includes(outcome.value));
      el.hidden = !visible;
      if (el.tagName === 'TR') { total++; if (visible) shown++; }
    }
    count.textContent = 'Showing ' + shown + ' of ' + total + ' scenarios';
  };
  group.addEventListener('change', apply);
  outcome.addEventListener('change', apply);
  const setAll = (open) => { for (const d of document.querySelectorAll('.card details')) if (!d.closest('[hidden]')) d.open = open; };
  document.getElementById('expand-all').addEventListener('click', () => setAll(true));
  document.getElementById('collapse-all').addEventListener('click', () => setAll(false));
  const openTarget = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    const card = id && document.getElementById(id);
    const details = card && card.querySelector('details');
    if (details) details.open = true;
  };
  window.addEventListener('hashchange', openTarget);
  openTarget();
  apply();
})();`;
