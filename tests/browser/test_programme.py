"""Programme pages in the browser, in French and Arabic: the accountant opens the directory
from the menu, then an actor with its relations, then a demo project with its cooperatives."""

from playwright.sync_api import expect

NAMES = {
    "fr": {
        "mess": "Maison de l'Économie Sociale et Solidaire",
        "press": "Projet d'appui à la mise en place d'une Politique Régionale d'ESS",
        "cress": "Chambre Régionale de l'Économie Sociale et Solidaire",
        "project": "Vitrine commune de l'artisanat du Nord",
        "cooperative": "Coopérative des Potiers de Tétouan",
    },
    "ar": {
        "mess": "دار الاقتصاد الاجتماعي والتضامني",
        "press": "مشروع دعم وضع سياسة جهوية للاقتصاد الاجتماعي والتضامني",
        "cress": "الغرفة الجهوية للاقتصاد الاجتماعي والتضامني",
        "project": "واجهة مشتركة للصناعة التقليدية بالشمال",
        "cooperative": "تعاونية فخارين تطوان",
    },
}


def test_accountant_walks_from_the_directory_to_an_actor_and_a_project(visitor):
    page = visitor.page
    names = NAMES[visitor.language]
    visitor.login("comptable@gie-tta.ma")
    visitor.go("/")
    page.click(".mainnav a[href='/programme/']")
    page.wait_for_load_state()
    expect(page.locator("section[data-kind=ess_house]")).to_contain_text(names["mess"])
    visitor.shot("press-directory")

    page.locator("a[href^='/programme/actors/']", has_text=names["mess"]).first.click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text(names["mess"])
    relations = page.locator("table[data-relations]")
    expect(relations).to_contain_text(names["press"])
    expect(relations).to_contain_text(names["cress"])
    visitor.shot("press-actor")

    visitor.go("/programme/")
    page.locator("a[href^='/programme/projects/']", has_text=names["project"]).click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text(names["project"])
    expect(page.locator("[data-demo]").first).to_be_visible()
    members = page.locator("table[data-members]")
    expect(members.locator("a[href^='/cooperatives/']")).to_have_count(4)
    expect(members).to_contain_text(names["cooperative"])
    visitor.shot("press-project")
