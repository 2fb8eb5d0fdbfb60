"""Names and the words for relationships, by gender: what keeps a "mother" from being called Pablo.

Each person of the demo has a gender ("female" or "male"); their first name comes from that gender's
list, and every gendered relationship word (mother, brother, wife, ...) is chosen from it too.
"""

FEMALE = [
    "Maya", "Ines", "Aiko", "Zara", "Priya", "Lucia", "Freya", "Hana", "Amara", "Yuki", "Clara", "Sofia",
    "Nora", "Anika", "Leila", "Ida", "Elena", "Marta", "Greta", "Lena", "Mira", "Rosa", "Tessa", "Vera",
    "Alma", "Beatriz", "Carmen", "Daria", "Elif", "Fatima", "Gemma", "Helga", "Irene", "Julia", "Kira",
    "Laila", "Mei", "Nadia", "Olga", "Paula", "Rania", "Saskia", "Tara", "Una", "Valeria", "Wanda",
    "Ximena", "Yara", "Zoe", "Agnes", "Bianca", "Celia", "Dora", "Esther", "Flora", "Grace", "Hilde",
    "Isla", "Jana", "Keiko", "Lotte", "Maren", "Nina", "Orla", "Pia", "Ruth", "Sanna", "Thea", "Ulla",
    "Viola", "Wren", "Ada", "Bea", "Cleo", "Dina", "Eva", "Fay", "Gaia", "Heidi", "Iris",
]  # fmt: skip
MALE = [
    "Leo", "Tomas", "Noah", "Elias", "Jonas", "Omar", "Mateo", "Felix", "Rafael", "Kofi", "Ravi", "Pablo",
    "Theo", "Sam", "Hugo", "Anton", "Bruno", "Carlos", "David", "Emil", "Farid", "Gustav", "Henrik",
    "Ivan", "Jakob", "Karl", "Lars", "Marco", "Nils", "Oskar", "Pedro", "Quentin", "Rui", "Stefan",
    "Tariq", "Umar", "Viktor", "Walter", "Xavier", "Yusuf", "Zeno", "Arjun", "Bram", "Cyrus", "Dario",
    "Erik", "Finn", "Goran", "Hamid", "Ilan", "Joao", "Kenji", "Luca", "Milo", "Nico", "Otto", "Paolo",
    "Rami", "Simon", "Timo", "Uwe", "Vito", "Wim", "Yann", "Aziz", "Ben", "Caleb", "Dev", "Eli", "Femi",
    "Gil", "Hiro", "Igor", "Jules", "Kai", "Lukas", "Max", "Ned", "Ole", "Per",
]  # fmt: skip
SURNAMES = [
    "Reyes", "Lindqvist", "Okafor", "Tanaka", "Moreau", "Novak", "Haddad", "Silva", "Berg", "Kowalski",
    "Ferreira", "Nakamura", "Schmidt", "Mensah", "Rossi", "Petrov", "Costa", "Jensen", "Ibrahim", "Dubois",
    "Kaur", "Muller", "Santos", "Yilmaz", "Andersen", "Brennan", "Castillo", "Dimitrov", "Eriksen",
    "Fischer", "Garcia", "Horvat", "Ito", "Jovanovic", "Kim", "Larsen", "Mendes", "Nilsson", "Olsen",
    "Park", "Quinn", "Romero", "Sato", "Torres", "Ueda", "Vargas", "Weber", "Xu", "Young", "Zamora",
    "Abbasi", "Bauer", "Chen", "Duarte", "Esposito", "Fontaine", "Gallo", "Hoffmann", "Iqbal", "Janssen",
    "Keller", "Lopez", "Marino", "Nowak", "Ortiz", "Pereira", "Ricci", "Suzuki", "Thorsen", "Varga",
    "Wagner", "Yamada", "Zielinski", "Aguilar", "Bianchi", "Carvalho", "Diaz", "Engel", "Falk", "Gomez",
]  # fmt: skip
GENDERS = ("female", "male")

# A relationship role and its word for each gender.
WORDS: dict[str, tuple[str, str]] = {
    "parent": ("mother", "father"),
    "sibling": ("sister", "brother"),
    "grandparent": ("grandmother", "grandfather"),
    "parent's sibling": ("aunt", "uncle"),
    "cousin": ("cousin", "cousin"),
    "sibling's child": ("niece", "nephew"),
    "in-law": ("sister-in-law", "brother-in-law"),
    "partner's parent": ("mother-in-law", "father-in-law"),
    "partner": ("wife", "husband"),
}


def word(role: str, gender: str) -> str:
    """The relationship word for a role and a gender: ("parent", "female") is "mother"."""
    female, male = WORDS[role]
    return female if gender == "female" else male


def gender_of_word(label: str) -> str | None:
    """The gender a relationship word implies ("mother": female), or None for one that implies none."""
    for female, male in WORDS.values():
        if female != male and label in (female, male):
            return "female" if label == female else "male"
    return None
