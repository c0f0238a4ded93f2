// The pipeline board: drag a card to another column, or focus it and press the left or
// right arrow key. Both POST the card's own move form (the no-JavaScript path) and reload.
(() => {
  const board = document.querySelector("[data-pipeline]");
  if (!board) return;
  const columns = Array.from(board.querySelectorAll(".pipeline-column"));

  function move(card, column) {
    if (!column || column.contains(card)) return;
    const form = card.querySelector("form.move-form");
    if (!form) return;
    const data = new FormData(form);
    data.set("stage_id", column.dataset.stageId);
    if (column.dataset.stageKind === "lost") {
      const reason = window.prompt(board.dataset.lostPrompt || "", data.get("lost_reason") || "");
      if (!reason || !reason.trim()) return;
      data.set("lost_reason", reason.trim());
    }
    card.classList.add("moving");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(() => window.location.reload())
      .catch(() => form.submit());
  }

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest(".lead-card[draggable=true]");
    if (!card) return;
    event.dataTransfer.setData("text/plain", card.id);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });
  board.addEventListener("dragend", (event) => {
    const card = event.target.closest(".lead-card");
    if (card) card.classList.remove("dragging");
    columns.forEach((c) => c.classList.remove("drop-target"));
  });
  columns.forEach((column) => {
    column.addEventListener("dragover", (event) => {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      column.classList.add("drop-target");
    });
    column.addEventListener("dragleave", () => column.classList.remove("drop-target"));
    column.addEventListener("drop", (event) => {
      event.preventDefault();
      column.classList.remove("drop-target");
      const card = document.getElementById(event.dataTransfer.getData("text/plain"));
      if (card) move(card, column);
    });
  });

  board.addEventListener("keydown", (event) => {
    const card = event.target;
    if (!card.classList || !card.classList.contains("lead-card")) return;
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    const rtl = document.documentElement.dir === "rtl";
    const forward = (event.key === "ArrowRight") !== rtl;
    const index = columns.indexOf(card.closest(".pipeline-column"));
    event.preventDefault();
    move(card, columns[index + (forward ? 1 : -1)]);
  });
})();
