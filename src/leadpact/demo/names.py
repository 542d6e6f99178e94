"""Names for the demo company's market: people, company name parts, titles, regions."""

from __future__ import annotations

import random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Maria James Aisha Wei Olivia Liam Sofia Noah Priya Lucas Emma Mateo Chloe Ethan Yuki Omar Hannah "
    "Daniel Fatima Jonas Grace Samuel Leila Diego Nora Arjun Ingrid Tomas Zoe Kwame Clara Felix Amara "
    "Henrik Mei Rafael Elena Kenji Isla Marcus Ana Victor Nadia Oscar Ruth Pedro Sara Tariq Julia "
    "Andre Lena Hugo Esther Ravi Camila Theo Alice Kofi Mira Jakob Rosa Adrian Lucia Dmitri Freya "
    "Ibrahim Paula Stefan Naomi Carlos Hana Elliot Irene Mohammed Vera Simon Layla Aaron Greta "
    "Benjamin Nina Caleb Ayesha David Linnea Gabriel Renee Isaac Tanya Javier Maya Leon Zara Miguel"
)
LAST_NAMES = _words(
    "Garcia Smith Khan Chen Johnson Muller Rossi Nguyen Patel Silva Brown Kim Martin Okafor Tanaka "
    "Haddad Schmidt Lopez Ali Larsen Dubois Novak Rahman Costa Walsh Fischer Ito Moreau Mensah Berg "
    "Kowalski Santos Murphy Weber Sato Hernandez Andersen Ivanova Cohen Jensen Rivera Park Bauer "
    "Singh Conti Fernandes Taylor Lindqvist Osei Romero Kaur Hoffmann Morales Nakamura Ahmed Bianchi "
    "Wilson Petrov Yilmaz Reyes Becker Olsen Gupta Vargas Thompson Lund Ramos Evans Sharma Klein "
    "Castro Hughes Mendes Vogel Price Duarte Torres Bennett Ortiz Meyer Sullivan Ng Foster Lambert "
    "Carter Varga Hall Ruiz Brandt Keller Dixon Moretti Nilsson Young Adeyemi Wright Marsh Quinn"
)
PREFIXES = _words(
    "Blue North Silver Bright Red Green Stone Iron Clear Swift Open True Deep High Wild Cedar Maple "
    "Summit Harbor Golden Crystal Polar River Lake Sun Moon Star Cloud Storm Ember Frost Oak Pine "
    "Birch Copper Cobalt Amber Coral Violet Indigo Hollow Quiet Bold Prime Nova Terra Aero Vector "
    "Pixel Quantum Signal Lumen Atlas Orbit Zenith Apex Crest Beacon Pioneer Meridian Granite Willow "
    "Falcon Raven Tiger Fox Otter Heron Lynx Bison"
)
ROOTS = _words(
    "wind field bridge point gate works path line way stack forge base wave leaf ridge brook view "
    "port light mark wing spring crest stone core peak vale shore haven grove well bay rock hill "
    "dale ford mill star bloom cast loop link shift yard beam flow grid rise spark tide fleet craft "
    "board scale sense mind nest hive lane trail arc dock ledger note pulse"
)
SUFFIXES = _words(
    "Labs Systems Software Group Analytics Health Logistics Capital Media Retail Robotics Energy "
    "Foods Networks Cloud Security Learning Studios Partners Industries Bio Payments Commerce Data "
    "Digital Solutions Technologies Ventures Works Holdings Consulting Dynamics Mobility Insights "
    "Finance Marine Apparel Games Home Travel"
)
COMPETITORS = (
    ("Pipewise", "pipewise.example"),
    ("Handoffly", "handoffly.example"),
    ("SLA Stack", "slastack.example"),
)

FUNCTIONS_OTHER = ("engineering", "finance", "hr", "it", "operations", "product", "customer_success")
_FUNCTION_WORD = {
    "marketing": "Marketing",
    "sales": "Sales",
    "revops": "Revenue Operations",
    "engineering": "Engineering",
    "finance": "Finance",
    "hr": "People",
    "it": "IT",
    "operations": "Operations",
    "product": "Product",
    "customer_success": "Customer Success",
}
_CHIEF = {
    "marketing": ("CMO", "Chief Marketing Officer"),
    "sales": ("CRO", "Chief Revenue Officer"),
    "revops": ("Chief Revenue Officer", "COO"),
    "engineering": ("CTO",),
    "finance": ("CFO",),
    "hr": ("Chief People Officer",),
    "it": ("CIO",),
    "operations": ("COO",),
    "product": ("CPO",),
    "customer_success": ("Chief Customer Officer",),
}
_SENIORITY_TITLES = {
    "vp": ("VP {f}", "Vice President, {f}", "SVP {f}"),
    "director": ("Director of {f}", "Head of {f}", "Senior Director, {f}"),
    "manager": ("{f} Manager", "Senior {f} Manager", "{f} Team Lead"),
    "individual": ("{f} Specialist", "{f} Analyst", "Senior {f} Specialist"),
    "entry": ("{f} Associate", "{f} Coordinator", "Junior {f} Analyst"),
}
INDUSTRIES_OTHER = (
    "manufacturing",
    "healthcare",
    "education",
    "retail",
    "media",
    "logistics",
    "consulting",
    "government",
    "nonprofit",
)
COUNTRIES_OTHER = ("IN", "BR", "MX", "ES", "IT", "SG", "JP", "ZA", "SE", "IE")
REGION = {
    "US": "North America",
    "CA": "North America",
    "MX": "LATAM",
    "BR": "LATAM",
    "AU": "APAC",
    "IN": "APAC",
    "SG": "APAC",
    "JP": "APAC",
}


def pick(rng: random.Random, options: tuple[str, ...] | list[str]) -> str:
    return options[int(rng.random() * len(options))]


def weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    total = sum(w for _, w in table)
    x = rng.random() * total
    for name, weight in table:
        x -= weight
        if x < 0:
            return name
    return table[-1][0]


def title_for(rng: random.Random, function: str, seniority: str) -> str:
    if seniority == "intern":
        return pick(rng, (f"{_FUNCTION_WORD[function]} Intern", "Student", "MBA Student", "Summer Intern"))
    if seniority == "c_level":
        return pick(rng, _CHIEF[function])
    if function == "sales" and seniority == "individual":
        return pick(rng, ("Account Executive", "Sales Development Representative", "Account Manager"))
    return pick(rng, _SENIORITY_TITLES[seniority]).format(f=_FUNCTION_WORD[function])
