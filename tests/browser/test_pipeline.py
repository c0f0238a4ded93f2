"""The pipeline in the browser, in French and Arabic: the sales adviser drags a card to the
next stage (pipeline.js) and finds the move in the lead's timeline."""

from playwright.sync_api import expect


def test_adviser_drags_a_card_to_the_next_stage(visitor):
    page = visitor.page
    visitor.login("commercial@gie-tta.ma")
    visitor.go("/")
    page.click(".mainnav a[href='/commercial/pipeline']")
    columns = page.locator(".pipeline-column")
    expect(columns.first).to_be_visible()
    visitor.shot("pipeline-board")

    # each language moves a card of its own: the first one left in the first stage
    card = columns.nth(0).locator(".lead-card").first
    lead_id = card.get_attribute("data-lead-id")
    target = columns.nth(1)
    target_name = target.locator("h2").inner_text().split("(")[0].strip()
    with page.expect_navigation():
        # from the card's top edge (its middle holds the move form), onto the column header
        card.drag_to(target, source_position={"x": 8, "y": 4}, target_position={"x": 20, "y": 10})
    expect(columns.nth(1).locator(f"#lead-{lead_id}")).to_be_visible()
    expect(columns.nth(0).locator(f"#lead-{lead_id}")).to_have_count(0)
    visitor.shot("pipeline-moved")

    visitor.go(f"/commercial/leads/{lead_id}")
    stage_changes = page.locator(".timeline .timeline-stage")
    expect(stage_changes).to_have_count(2)
    expect(stage_changes.first).to_contain_text(target_name)
    visitor.shot("pipeline-lead-timeline")
