"""Sample welcome villages, services, connectivity and housing (not real data: shown as « Donnée d'exemple »).

Only the communes are real (open data). Everything created here has ``is_sample=True``, is drawn from
seeded random generators (the same plan on every run) and is looked up by a natural key before it is
created, so loading twice creates nothing new. Photos are drawings generated with Pillow.
"""

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from io import BytesIO

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from sohosolo.core.text import search_key
from sohosolo.territories.models import Commune, Territory
from sohosolo.territories.services import commune_at_point

from .models import MeasuredTravelTime, PublicationStatus, Village, VillagePhoto

LANGS = ("fr", "en", "es", "pt")
SEED = 42
CONNECTIVITY_SOURCE = "Donnée d'exemple (générée)"

# --- What each sample village is known for ------------------------------------------------------------
# (title, text) per language; "{name}" is the village. Generic on purpose: the page shows the sample badge.
PRODUCTS = {
    "armagnac": {
        "fr": ("L'armagnac", "Texte d'exemple. Autour {de_name}, des domaines distillent l'armagnac, "
               "l'eau-de-vie de Gascogne ; le comité d'accueil organise des visites de chais."),
        "en": ("Armagnac", "Sample text. Around {name}, estates distil Armagnac, the brandy of Gascony; "
               "the welcome committee arranges cellar visits."),
        "es": ("El armañac", "Texto de ejemplo. Alrededor de {name}, varias fincas destilan armañac, el "
               "aguardiente de Gascuña; el comité de acogida organiza visitas a las bodegas."),
        "pt": ("O armanhaque", "Texto de exemplo. À volta de {name}, várias propriedades destilam "
               "armanhaque, a aguardente da Gasconha; a comissão de acolhimento organiza visitas às adegas."),
    },
    "melon": {
        "fr": ("Le melon", "Texte d'exemple. L'été, les melons des coteaux voisins {de_name} se vendent au "
               "marché et directement chez les producteurs."),
        "en": ("Melons", "Sample text. In summer, melons from the hills around {name} are sold at the "
               "market and straight from the growers."),
        "es": ("El melón", "Texto de ejemplo. En verano, los melones de las colinas de {name} se venden en "
               "el mercado y directamente en las fincas."),
        "pt": ("O melão", "Texto de exemplo. No verão, os melões das colinas à volta de {name} vendem-se no "
               "mercado e diretamente aos produtores."),
    },
    "jazz": {
        "fr": ("Le jazz", "Texte d'exemple. Chaque été, {name} vit au rythme du jazz : concerts, scènes "
               "ouvertes et des centaines de bénévoles."),
        "en": ("Jazz", "Sample text. Every summer, {name} lives to the rhythm of jazz: concerts, open stages "
               "and hundreds of volunteers."),
        "es": ("El jazz", "Texto de ejemplo. Cada verano, {name} vive al ritmo del jazz: conciertos, "
               "escenarios abiertos y cientos de voluntarios."),
        "pt": ("O jazz", "Texto de exemplo. Todos os verões, {name} vive ao ritmo do jazz: concertos, palcos "
               "abertos e centenas de voluntários."),
    },
    "duck": {
        "fr": ("Le canard gras", "Texte d'exemple. D'octobre à mars, les marchés au gras {de_name} "
               "réunissent éleveurs, cuisiniers et curieux."),
        "en": ("Duck and foie gras", "Sample text. From October to March, the duck markets of {name} bring "
               "together farmers, cooks and the curious."),
        "es": ("El pato", "Texto de ejemplo. De octubre a marzo, los mercados de pato de {name} reúnen a "
               "criadores, cocineros y curiosos."),
        "pt": ("O pato", "Texto de exemplo. De outubro a março, os mercados de pato de {name} juntam "
               "criadores, cozinheiros e curiosos."),
    },
    "garlic": {
        "fr": ("L'ail blanc", "Texte d'exemple. {name} est entouré de champs d'ail blanc, vendu en tresses "
               "au marché et fêté chaque été."),
        "en": ("White garlic", "Sample text. {name} is surrounded by fields of white garlic, sold in braids "
               "at the market and celebrated every summer."),
        "es": ("El ajo blanco", "Texto de ejemplo. {name} está rodeado de campos de ajo blanco, que se vende "
               "en ristras en el mercado y se celebra cada verano."),
        "pt": ("O alho branco", "Texto de exemplo. {name} está rodeada de campos de alho branco, vendido em "
               "réstias no mercado e festejado todos os verões."),
    },
    "bastide": {
        "fr": ("La bastide", "Texte d'exemple. Place à arcades, halle et rues en damier : le centre "
               "{de_name} se parcourt à pied et ses commerces entourent la place."),
        "en": ("The bastide town", "Sample text. Arcaded square, market hall and grid streets: the centre "
               "of {name} is walkable and its shops surround the square."),
        "es": ("La bastida", "Texto de ejemplo. Plaza porticada, mercado cubierto y calles en cuadrícula: "
               "el centro de {name} se recorre a pie y sus comercios rodean la plaza."),
        "pt": ("A bastide", "Texto de exemplo. Praça com arcadas, mercado coberto e ruas em quadrícula: o "
               "centro de {name} percorre-se a pé e o comércio rodeia a praça."),
    },
    "heritage": {
        "fr": ("Le patrimoine", "Texte d'exemple. Église, château ou remparts : les habitants {de_name} font "
               "visiter leur patrimoine, qui accueille aussi concerts et expositions."),
        "en": ("Heritage", "Sample text. Church, castle or ramparts: the people of {name} show visitors "
               "their heritage, which also hosts concerts and exhibitions."),
        "es": ("El patrimonio", "Texto de ejemplo. Iglesia, castillo o murallas: los vecinos de {name} "
               "enseñan su patrimonio, que también acoge conciertos y exposiciones."),
        "pt": ("O património", "Texto de exemplo. Igreja, castelo ou muralhas: os habitantes de {name} "
               "mostram o seu património, que também recebe concertos e exposições."),
    },
    "spa": {
        "fr": ("Les thermes", "Texte d'exemple. La station thermale {de_name} fait vivre commerces et "
               "hébergements toute la saison."),
        "en": ("The spa", "Sample text. The spa of {name} keeps shops and accommodation busy all season."),
        "es": ("El balneario", "Texto de ejemplo. El balneario de {name} da vida a comercios y alojamientos "
               "durante toda la temporada."),
        "pt": ("As termas", "Texto de exemplo. As termas de {name} dão vida ao comércio e ao alojamento "
               "durante toda a época."),
    },
    "wine": {
        "fr": ("Les vins du terroir", "Texte d'exemple. Caves coopératives et vignerons des environs "
               "{de_name} ouvrent leurs portes aux nouveaux habitants."),
        "en": ("Local wines", "Sample text. Cooperative cellars and winegrowers around {name} open their "
               "doors to newcomers."),
        "es": ("Los vinos de la tierra", "Texto de ejemplo. Bodegas cooperativas y viticultores de los "
               "alrededores de {name} abren sus puertas a los recién llegados."),
        "pt": ("Os vinhos da terra", "Texto de exemplo. Adegas cooperativas e viticultores à volta de {name} "
               "abrem as portas aos recém-chegados."),
    },
    "market": {
        "fr": ("Le marché", "Texte d'exemple. Le marché {de_name} rassemble chaque semaine producteurs et "
               "habitants : le meilleur endroit pour faire connaissance."),
        "en": ("The market", "Sample text. Every week the market of {name} brings growers and residents "
               "together: the best place to get to know people."),
        "es": ("El mercado", "Texto de ejemplo. Cada semana, el mercado de {name} reúne a productores y "
               "vecinos: el mejor lugar para conocer gente."),
        "pt": ("O mercado", "Texto de exemplo. Todas as semanas, o mercado de {name} junta produtores e "
               "habitantes: o melhor sítio para conhecer pessoas."),
    },
    "coworking": {
        "fr": ("Le tiers-lieu", "Texte d'exemple. {name} propose un tiers-lieu avec bureaux partagés, salle "
               "de réunion et fibre, pour travailler près de chez soi."),
        "en": ("The coworking space", "Sample text. {name} offers a third place with shared desks, a meeting "
               "room and fibre, to work close to home."),
        "es": ("El espacio de coworking", "Texto de ejemplo. {name} ofrece un espacio con puestos "
               "compartidos, sala de reuniones y fibra, para trabajar cerca de casa."),
        "pt": ("O espaço de coworking", "Texto de exemplo. {name} tem um espaço com secretárias partilhadas, "
               "sala de reuniões e fibra, para trabalhar perto de casa."),
    },
    "festival": {
        "fr": ("Les festivals", "Texte d'exemple. Festivals de musique et fêtes d'été animent {name} et "
               "mobilisent de nombreux bénévoles."),
        "en": ("Festivals", "Sample text. Music festivals and summer fêtes liven up {name} and bring many "
               "volunteers together."),
        "es": ("Los festivales", "Texto de ejemplo. Festivales de música y fiestas de verano animan {name} "
               "y movilizan a muchos voluntarios."),
        "pt": ("Os festivais", "Texto de exemplo. Festivais de música e festas de verão animam {name} e "
               "mobilizam muitos voluntários."),
    },
    "motorsport": {
        "fr": ("Le circuit automobile", "Texte d'exemple. Le circuit {de_name} accueille courses, essais et "
               "stages tout au long de l'année."),
        "en": ("The race track", "Sample text. The track at {name} hosts races, tests and courses all year."),
        "es": ("El circuito", "Texto de ejemplo. El circuito de {name} acoge carreras, pruebas y cursos "
               "durante todo el año."),
        "pt": ("O circuito automóvel", "Texto de exemplo. O circuito de {name} recebe corridas, testes e "
               "cursos durante todo o ano."),
    },
    "nature": {
        "fr": ("Le lac et les balades", "Texte d'exemple. Sentiers, lac et coteaux : {name} se découvre à "
               "pied ou à vélo."),
        "en": ("Lake and walks", "Sample text. Trails, a lake and hillsides: discover {name} on foot or by "
               "bike."),
        "es": ("El lago y los paseos", "Texto de ejemplo. Senderos, lago y colinas: {name} se descubre a pie "
               "o en bicicleta."),
        "pt": ("O lago e os passeios", "Texto de exemplo. Trilhos, lago e colinas: {name} descobre-se a pé "
               "ou de bicicleta."),
    },
    "local_food": {
        "fr": ("Les circuits courts", "Texte d'exemple. Producteurs bio, paniers et magasin de producteurs : "
               "à {name}, on achète local."),
        "en": ("Local food", "Sample text. Organic growers, veg boxes and a farmers' shop: in {name}, people "
               "buy local."),
        "es": ("Los circuitos cortos", "Texto de ejemplo. Productores ecológicos, cestas y tienda de "
               "productores: en {name} se compra local."),
        "pt": ("Os circuitos curtos", "Texto de exemplo. Produtores biológicos, cabazes e loja de produtores: "
               "em {name} compra-se local."),
    },
    "pilgrims": {
        "fr": ("Le chemin de Compostelle", "Texte d'exemple. Les pèlerins en route vers Saint-Jacques font "
               "étape à {name}, où gîtes et associations les accueillent."),
        "en": ("The Way of St James", "Sample text. Pilgrims on their way to Santiago stop in {name}, where "
               "hostels and associations welcome them."),
        "es": ("El Camino de Santiago", "Texto de ejemplo. Los peregrinos camino de Santiago hacen etapa en "
               "{name}, donde albergues y asociaciones los acogen."),
        "pt": ("O Caminho de Santiago", "Texto de exemplo. Os peregrinos a caminho de Santiago param em "
               "{name}, onde albergues e associações os acolhem."),
    },
    "forest": {
        "fr": ("La forêt", "Texte d'exemple. Autour {de_name}, la forêt de pins offre pistes cyclables, "
               "balades et une filière bois bien vivante."),
        "en": ("The forest", "Sample text. Around {name}, the pine forest offers cycle paths, walks and a "
               "lively timber trade."),
        "es": ("El bosque", "Texto de ejemplo. Alrededor de {name}, el pinar ofrece carriles bici, paseos y "
               "una industria de la madera muy activa."),
        "pt": ("A floresta", "Texto de exemplo. À volta de {name}, o pinhal oferece ciclovias, passeios e uma "
               "fileira da madeira bem ativa."),
    },
}  # fmt: skip

# Commune names as the open data spells them (see data/README.md), each with its product.
SAMPLE_VILLAGES = {
    "gers": [
        ("Auch", "coworking"), ("Lectoure", "melon"), ("Marciac", "jazz"), ("Condom", "pilgrims"),
        ("Fleurance", "market"), ("Mirande", "festival"), ("Samatan", "duck"), ("Eauze", "armagnac"),
        ("Vic-Fezensac", "festival"), ("Gimont", "duck"), ("L'Isle-Jourdain", "coworking"),
        ("Nogaro", "motorsport"), ("Mauvezin", "garlic"), ("Lombez", "heritage"), ("Masseube", "bastide"),
        ("Montréal", "bastide"), ("Larressingle", "heritage"), ("Castéra-Verduzan", "spa"),
        ("Cazaubon", "spa"), ("Saint-Clar", "garlic"), ("Valence-sur-Baïse", "heritage"),
        ("Miélan", "nature"), ("Plaisance", "wine"), ("Riscle", "wine"), ("Aignan", "armagnac"),
        ("Jegun", "local_food"), ("Seissan", "nature"), ("Saramon", "local_food"), ("Simorre", "heritage"),
        ("Cologne", "bastide"), ("Fourcès", "bastide"), ("Bassoues", "heritage"),
    ],
    "landes": [
        ("Labastide-d'Armagnac", "armagnac"), ("Saint-Sever", "heritage"), ("Hagetmau", "market"),
        ("Sabres", "forest"),
    ],
}  # fmt: skip

# A few committees replaced the estimate by a measured time (minutes).
MEASURED_TIMES = {
    "gers": {
        "Auch": [("Toulouse", 70)], "L'Isle-Jourdain": [("Toulouse", 40)], "Gimont": [("Toulouse", 45)],
        "Lectoure": [("Agen", 40)], "Marciac": [("Tarbes", 50)], "Nogaro": [("Auch", 60)],
    },
    "landes": {"Saint-Sever": [("Mont-de-Marsan", 20)]},
}  # fmt: skip

# The territory's sample committee member (accounts/sample.py) serves these villages.
COMMITTEE_VILLAGES = {"gers": ["Auch", "Lectoure", "Marciac"], "landes": ["Labastide-d'Armagnac", "Sabres"]}
FIRST_NAMES = [
    "Martine", "Jean-Pierre", "Sophie", "Bernard", "Claire", "Philippe", "Nathalie", "Alain", "Isabelle",
    "Michel", "Sylvie", "Thierry", "Valérie", "Patrick", "Catherine", "Didier", "Élodie", "Julien",
    "Amandine", "Lucas", "Chantal", "Gilles", "Pauline", "Hervé", "Agnès", "Yannick", "Laetitia", "Romain",
    "Josiane", "Mathieu", "Françoise", "Karim", "Solène", "Benoît", "Maïté", "Pierre",
]  # fmt: skip

PRESENTATION = {
    "fr": "Texte d'exemple. {name} est {kind} du réseau des villages d'accueil. Son comité, composé "
    "d'habitants bénévoles, aide les nouveaux arrivants à trouver un logement, un lieu pour travailler et "
    "les services du quotidien, et les présente aux associations et aux professionnels du coin.",
    "en": "Sample text. {name} is {kind} in the network of welcome villages. Its committee of volunteer "
    "residents helps newcomers find a home, a place to work and everyday services, and introduces them to "
    "local associations and businesses.",
    "es": "Texto de ejemplo. {name} es {kind} de la red de pueblos de acogida. Su comité, formado por "
    "vecinos voluntarios, ayuda a los recién llegados a encontrar vivienda, un lugar para trabajar y los "
    "servicios del día a día, y les presenta a las asociaciones y profesionales de la zona.",
    "pt": "Texto de exemplo. {name} é {kind} da rede de aldeias de acolhimento. A sua comissão, formada por "
    "habitantes voluntários, ajuda os recém-chegados a encontrar casa, um local para trabalhar e os "
    "serviços do dia a dia, e apresenta-os às associações e aos profissionais da zona.",
}
PLACE_KIND = {  # (from population, word) per language, largest first
    "fr": [(5000, "une petite ville"), (1000, "un bourg"), (0, "un village")],
    "en": [(5000, "a small town"), (1000, "a market town"), (0, "a village")],
    "es": [(5000, "una pequeña ciudad"), (1000, "un pueblo"), (0, "un pueblo pequeño")],
    "pt": [(5000, "uma pequena cidade"), (1000, "uma vila"), (0, "uma aldeia")],
}


@dataclass
class SampleReport:
    """How many objects of each kind were created or kept (already there), in the order first met."""

    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    kinds: list[str] = field(default_factory=list)

    def count(self, kind: str, created: bool, n: int = 1) -> None:
        if kind not in self.kinds:
            self.kinds.append(kind)
        (self.created if created else self.kept)[kind] += n

    def lines(self) -> list[str]:
        return [
            f"{kind} : {self.created[kind]} créé(s), {self.kept[kind]} conservé(s)" for kind in self.kinds
        ]


def _translated(name: str, values: dict[str, str]) -> dict[str, str]:
    """Model kwargs for a modeltranslation field: the base column holds French, as modeltranslation does."""
    return {name: values["fr"], **{f"{name}_{lang}": values[lang] for lang in LANGS}}


def de_name(name: str) -> str:
    """French "de" before a place name, elided before a vowel: "de Lectoure", "d'Auch"."""
    return f"d'{name}" if search_key(name)[:1] in tuple("aeiouy") else f"de {name}"


def find_commune(territory: Territory, name: str) -> Commune | None:
    """The commune of that name, also without a leading article (the open data writes "Isle-Jourdain")."""
    key = search_key(name)
    candidates = [key]
    for article in ("l ", "la ", "le ", "les "):
        if key.startswith(article):
            candidates.append(key.removeprefix(article))
    for candidate in candidates:
        commune = Commune.objects.of_territory(territory).filter(search_name=candidate).first()
        if commune:
            return commune
    return None


# --- Generated pictures ---------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _mix(a: tuple, b: tuple, t: float) -> tuple:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _jpeg(image: Image.Image, quality: int = 82) -> bytes:
    out = BytesIO()
    image.save(out, "JPEG", quality=quality)  # a new image carries no EXIF
    return out.getvalue()


def _caption(draw: ImageDraw.ImageDraw, size: tuple[int, int], title: str, *, inset: bool = False) -> None:
    """The title and « Image d'exemple (générée) », on a dark band at the bottom, or on a label kept
    in the middle band of the picture (``inset``), which survives a wide crop of a hero image."""
    w, h = size
    band = round(h * 0.2)
    font_size = round(band * 0.36)
    while font_size > 12 and draw.textlength(title, font=_font(font_size)) > w * 0.88:
        font_size -= 2
    small = _font(round(band * 0.17))
    if inset:
        centre = h * 0.72
        half = max(
            draw.textlength(title, font=_font(font_size)),
            draw.textlength("Image d'exemple (générée)", font=small),
        )
        box = [w / 2 - half / 2 - 28, centre - band * 0.42, w / 2 + half / 2 + 28, centre + band * 0.42]
        draw.rounded_rectangle(box, radius=18, fill=(28, 38, 32))
        title_y, note_y = centre - band * 0.12, centre + band * 0.24
    else:
        draw.rectangle([0, h - band, w, h], fill=(28, 38, 32))
        title_y, note_y = h - band * 0.62, h - band * 0.22
    draw.text((w // 2, title_y), title, font=_font(font_size), fill="white", anchor="mm")
    draw.text((w // 2, note_y), "Image d'exemple (générée)", font=small, fill=(215, 225, 215), anchor="mm")


def _sky_and_hills(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top = rng.choice([(92, 150, 210), (120, 170, 220), (236, 170, 120), (160, 190, 230)])
    bottom = (245, 235, 215)
    for y in range(h):
        draw.line([(0, y), (w, y)], fill=_mix(top, bottom, y / h))
    sx, sy, r = rng.randint(w // 8, w - w // 8), rng.randint(h // 10, h // 3), h // 14
    draw.ellipse([sx - r, sy - r, sx + r, sy + r], fill=(252, 226, 140))
    greens = [(150, 175, 100), (110, 150, 80), (80, 120, 60)]
    for layer, colour in enumerate(greens):
        base = h * (0.5 + 0.1 * layer)
        amp, freq, phase = h * rng.uniform(0.03, 0.08), rng.uniform(1.5, 3.5), rng.uniform(0, math.tau)
        points = [
            (x, base - amp * math.sin(freq * x / w * math.tau / 2 + phase)) for x in range(0, w + 20, 20)
        ]
        draw.polygon([(0, h), *points, (w, h)], fill=colour)
    return image


def village_picture(*, rng: random.Random, title: str, size: tuple[int, int] = (1200, 800)) -> bytes:
    """A stylised landscape with houses and a bell tower on a hill, the village's name written below."""
    image = _sky_and_hills(rng, size)
    draw = ImageDraw.Draw(image)
    w, h = size
    ground = h * 0.58
    for i in range(rng.randint(5, 9)):
        x = w * 0.2 + i * w * 0.07 + rng.uniform(-10, 10)
        hw, hh = w * 0.028, h * rng.uniform(0.05, 0.08)
        draw.rectangle(
            [x - hw, ground - hh, x + hw, ground], fill=rng.choice([(236, 222, 196), (226, 205, 170)])
        )
        draw.polygon(
            [(x - hw - 6, ground - hh), (x, ground - hh - h * 0.04), (x + hw + 6, ground - hh)],
            fill=(178, 84, 58),
        )
    tx = w * 0.2 + rng.randint(1, 5) * w * 0.07
    draw.rectangle([tx - w * 0.018, ground - h * 0.2, tx + w * 0.018, ground], fill=(214, 196, 160))
    draw.polygon(
        [(tx - w * 0.024, ground - h * 0.2), (tx, ground - h * 0.27), (tx + w * 0.024, ground - h * 0.2)],
        fill=(120, 70, 50),
    )
    _caption(draw, size, title, inset=True)
    return _jpeg(image)


BOTTLE_PRODUCTS = {"armagnac", "wine", "spa"}
FRUIT_PRODUCTS = {"melon", "garlic", "local_food", "market", "duck"}


def product_picture(
    *, rng: random.Random, product: str, title: str, size: tuple[int, int] = (1200, 800)
) -> bytes:
    """A still life on a table (a bottle, fruit in a bowl, or a medallion), the product's name below."""
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    warm = rng.choice([(204, 120, 60), (150, 60, 70), (190, 150, 70), (90, 110, 140)])
    for y in range(h):
        draw.line([(0, y), (w, y)], fill=_mix((250, 240, 225), warm, y / h))
    draw.rectangle([0, h * 0.6, w, h], fill=(140, 96, 60))
    cx, cy = w * 0.5, h * 0.6
    draw.ellipse([cx - w * 0.25, cy - h * 0.08, cx + w * 0.25, cy + h * 0.08], fill=(245, 245, 240))
    if product in BOTTLE_PRODUCTS:
        draw.rectangle([cx - w * 0.05, cy - h * 0.4, cx + w * 0.05, cy], fill=warm)
        draw.rectangle([cx - w * 0.02, cy - h * 0.5, cx + w * 0.02, cy - h * 0.4], fill=warm)
        draw.ellipse([cx + w * 0.08, cy - h * 0.12, cx + w * 0.2, cy], fill=(230, 180, 80))
    elif product in FRUIT_PRODUCTS:
        for dx, dy, r in ((-0.1, -0.1, 0.09), (0.08, -0.1, 0.08), (-0.01, -0.2, 0.08)):
            colour = rng.choice([(226, 160, 70), (240, 236, 220), (190, 200, 90), (214, 120, 70)])
            draw.ellipse(
                [cx + w * (dx - r), cy + h * dy - w * r, cx + w * (dx + r), cy + h * dy + w * r], fill=colour
            )
    else:
        r = w * 0.16
        draw.ellipse(
            [cx - r, cy - h * 0.2 - r, cx + r, cy - h * 0.2 + r], fill=warm, outline="white", width=12
        )
        draw.ellipse(
            [cx - r / 3, cy - h * 0.2 - r / 3, cx + r / 3, cy - h * 0.2 + r / 3], fill=(250, 240, 225)
        )
    _caption(draw, size, title)
    return _jpeg(image)


def housing_picture(
    *, rng: random.Random, kind: str, title: str, size: tuple[int, int] = (960, 640)
) -> bytes:
    """A drawn façade (house, building, shop) or a field for land, with a caption."""
    image = _sky_and_hills(rng, size)
    draw = ImageDraw.Draw(image)
    w, h = size
    ground = h * 0.72
    if kind == "land":
        for x in range(0, w, 60):
            draw.rectangle([x, ground - h * 0.06, x + 6, ground + h * 0.02], fill=(110, 80, 50))
        draw.line([(0, ground - h * 0.05), (w, ground - h * 0.05)], fill=(110, 80, 50), width=4)
    else:
        wall = rng.choice([(238, 226, 200), (228, 206, 170), (214, 190, 160), (240, 236, 228)])
        left, right = w * rng.uniform(0.2, 0.3), w * rng.uniform(0.7, 0.8)
        top = ground - h * {"flat": 0.45, "house": 0.3}.get(kind, 0.4)
        draw.rectangle([left, top, right, ground], fill=wall)
        draw.polygon(
            [(left - 20, top), ((left + right) / 2, top - h * 0.12), (right + 20, top)], fill=(170, 80, 55)
        )
        floors = 3 if kind == "flat" else 1
        for floor in range(floors):
            y = top + (ground - top) * (floor + 0.25) / (floors + 0.4)
            for i in range(4):
                x = left + (right - left) * (i + 0.5) / 4
                draw.rectangle(
                    [x - 28, y, x + 28, y + 46], fill=(90, 120, 150), outline=(80, 60, 40), width=3
                )
        door_x = (left + right) / 2
        if kind in ("premises", "takeover", "office"):
            draw.rectangle([left + 30, ground - h * 0.17, right - 30, ground], fill=(70, 100, 120))
            draw.polygon(
                [
                    (left + 10, ground - h * 0.17),
                    (right - 10, ground - h * 0.17),
                    (right - 30, ground - h * 0.22),
                    (left + 30, ground - h * 0.22),
                ],
                fill=rng.choice([(180, 50, 50), (40, 110, 80), (40, 80, 140)]),
            )
        else:
            draw.rectangle([door_x - 30, ground - 110, door_x + 30, ground], fill=(110, 70, 45))
    _caption(draw, size, title)
    return _jpeg(image)


def thumbnail_of(data: bytes, box: tuple[int, int] = (480, 320)) -> bytes:
    image = Image.open(BytesIO(data))
    image.thumbnail(box)
    return _jpeg(image, quality=78)


# --- Villages, photos, measured times -----------------------------------------------------------------


def _place_kind(lang: str, population: int | None) -> str:
    return next(word for threshold, word in PLACE_KIND[lang] if (population or 0) >= threshold)


def _load_villages(*, territory: Territory, report: SampleReport) -> list[Village]:
    """Create the sample villages of a territory (published) with photos; return every sample village."""
    rng = random.Random(f"{SEED}:{territory.slug}:villages")
    villages = []
    for name, product in SAMPLE_VILLAGES.get(territory.slug, []):
        commune = find_commune(territory, name)
        if commune is None:
            continue
        photo_rng = random.Random(f"{SEED}:{commune.code}:photos")
        variants = rng.randint(1, 3)  # drawn even for a kept village, so the next ones stay the same
        village = Village.objects.filter(commune=commune).first()
        report.count("Villages", village is None)
        if village is None:
            slug = slugify(commune.name)
            if Village.objects.filter(territory=territory, slug=slug).exists():
                slug = f"{slug}-{commune.code}"  # a homonym's village already has the plain slug
            titles = {lang: PRODUCTS[product][lang][0] for lang in LANGS}
            texts = {
                lang: PRODUCTS[product][lang][1].format(name=commune.name, de_name=de_name(commune.name))
                for lang in LANGS
            }
            presentation = {
                lang: PRESENTATION[lang].format(name=commune.name, kind=_place_kind(lang, commune.population))
                for lang in LANGS
            }
            village = Village(
                territory=territory,
                commune=commune,
                slug=slug,
                status=PublicationStatus.PUBLISHED,
                is_sample=True,
                product_photo_alt=f"Illustration d'exemple générée : {titles['fr'].lower()} à {commune.name}",
                **_translated("presentation", presentation),
                **_translated("product_title", titles),
                **_translated("product_text", texts),
            )
            village.product_photo.save(
                f"exemple-{slug}-produit.jpg",
                ContentFile(product_picture(rng=photo_rng, product=product, title=titles["fr"])),
                save=False,
            )
            village.save()
        if not village.is_sample:
            continue  # a real village that an administrator created: leave it alone
        villages.append(village)
        if not village.photos.exists():
            for position in range(variants):
                photo = VillagePhoto(
                    village=village,
                    position=position,
                    alt_text=f"Illustration d'exemple générée : paysage de coteaux et maisons, {commune.name}",
                )
                photo.image.save(
                    f"exemple-{village.slug}-{position + 1}.jpg",
                    ContentFile(village_picture(rng=photo_rng, title=commune.name)),
                    save=False,
                )
                photo.save()
            report.count("Photos de villages", True, variants)
        else:
            report.count("Photos de villages", False, village.photos.count())
        for city, minutes in MEASURED_TIMES.get(territory.slug, {}).get(name, []):
            _, created = MeasuredTravelTime.objects.get_or_create(
                village=village, city=city, defaults={"minutes": minutes}
            )
            report.count("Temps de trajet mesurés", created)
    return villages


# --- Committees -----------------------------------------------------------------------------------------


def _load_committees(
    *, territory: Territory, villages: list[Village], password_hash: str, report: SampleReport
) -> dict[int, list]:
    """Give each sample village 1–2 sample committee members, and the territory's sample committee
    member a few villages; return the committee users per village id."""
    from allauth.account.models import EmailAddress

    from sohosolo.accounts.models import Membership, Role, User

    rng = random.Random(f"{SEED}:{territory.slug}:committees")
    village_type = ContentType.objects.get_for_model(Village)
    names = list(FIRST_NAMES)
    rng.shuffle(names)
    committees: dict[int, list] = {}
    shared = User.objects.filter(email=f"comite@{territory.slug}.soho-solo.example").first()
    shared_communes = {
        c.pk for n in COMMITTEE_VILLAGES.get(territory.slug, []) if (c := find_commune(territory, n))
    }
    for index, village in enumerate(villages):
        members = []
        for n in range(1 + (index % 3 == 0)):
            first_name = names[(index * 2 + n) % len(names)]
            user, created = User.objects.get_or_create(
                email=f"{slugify(first_name)}.{village.slug}@{territory.slug}.soho-solo.example",
                defaults={"first_name": first_name, "last_name": "Exemple", "is_sample": True},
            )
            if created:
                user.password = password_hash
                user.save(update_fields=["password"])
                EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            report.count("Membres de comités d'exemple", created)
            members.append(user)
        if shared and village.commune_id in shared_communes:
            members.append(shared)
        for user in members:
            _, created = Membership.objects.get_or_create(
                user=user,
                territory=territory,
                role=Role.COMMITTEE,
                scope_type=village_type,
                scope_id=village.pk,
            )
            report.count("Rôles de comité (par village)", created)
        committees[village.pk] = members
    return committees


# --- Local services ---------------------------------------------------------------------------------------

# (category, population from which a village has one, population from which it has a second one)
VILLAGE_SERVICES = [
    ("primary_school", 0, 8000), ("restaurant", 0, 8000), ("bakery", 300, None), ("grocery", 1400, None),
    ("market", 1100, None), ("doctor", 1100, None), ("pharmacy", 1500, None), ("sports_ground", 2000, None),
    ("post_office", 2000, None), ("coworking", 2000, None), ("library", 2500, None), ("bus_line", 2500, None),
    ("creche", 2500, None), ("bank", 2500, None), ("college", 2500, None), ("dentist", 3000, None),
    ("lycee", 3400, None), ("hospital", 6000, None),
]  # fmt: skip
# The communes of the Toulouse–Auch railway among the sample villages.
TRAIN_STATIONS = {"auch", "gimont", "isle jourdain"}
# Communes that are not welcome villages get one or two everyday services.
OTHER_COMMUNE_SERVICES = ["primary_school", "bakery", "restaurant", "sports_ground", "grocery", "bus_line",
                          "library", "coworking", "doctor", "market"]  # fmt: skip
OTHER_COMMUNES = 20

SERVICE_NAMES = {
    "creche": ["Crèche « Les P'tits Loups »", "Micro-crèche « Les Coccinelles »"],
    "primary_school": ["École primaire {de_name}", "École élémentaire du Centre"],
    "college": ["Collège {de_name}", "Collège du Val"],
    "lycee": ["Lycée {de_name}", "Lycée professionnel {de_name}"],
    "doctor": ["Maison de santé {de_name}", "Cabinet médical du Centre"],
    "pharmacy": ["Pharmacie du Centre", "Pharmacie de la Place"],
    "dentist": ["Cabinet dentaire {de_name}", "Cabinet dentaire des Tilleuls"],
    "hospital": ["Centre hospitalier {de_name}"],
    "grocery": ["Épicerie du village", "Épicerie de la Halle"],
    "bakery": ["Boulangerie du Centre", "Boulangerie de la Place"],
    "market": ["Marché {de_name}"],
    "post_office": ["Bureau de poste {de_name}", "Agence postale communale {de_name}"],
    "bank": ["Distributeur de billets {de_name}", "Agence bancaire de la Place"],
    "train_station": ["Gare {de_name}"],
    "bus_line": ["Arrêt de car régional, {name}"],
    "coworking": ["Tiers-lieu {de_name}", "Télécentre {de_name}"],
    "library": ["Médiathèque {de_name}", "Bibliothèque municipale {de_name}"],
    "sports_ground": ["Stade municipal {de_name}", "Complexe sportif {de_name}"],
    "restaurant": [
        "Restaurant Le Relais",
        "L'Auberge du village",
        "Le Bistrot de la Place",
        "La Table {de_name}",
    ],
}
STREETS = {
    "primary_school": "rue des Écoles", "college": "avenue des Écoles", "lycee": "avenue des Écoles",
    "market": "place de la Halle", "train_station": "avenue de la Gare", "bus_line": "place du Foirail",
    "sports_ground": "chemin du Stade", "hospital": "route de l'Hôpital", "post_office": "place de la Mairie",
    "library": "place de la Mairie", "creche": "rue des Écoles",
}  # fmt: skip
OTHER_STREETS = [
    "place de la Mairie",
    "rue de la République",
    "grand-rue",
    "rue du Château",
    "place de l'Église",
]
OPENING_HOURS = {
    "creche": "Lun–ven 7 h 30 – 18 h 30", "primary_school": "Lun, mar, jeu, ven 8 h 45 – 16 h 30",
    "college": "Lun–ven 8 h – 17 h 30", "lycee": "Lun–ven 8 h – 18 h",
    "doctor": "Sur rendez-vous, lun–ven 8 h 30 – 19 h", "pharmacy": "Lun–sam 9 h – 12 h 30, 14 h – 19 h",
    "dentist": "Sur rendez-vous, lun–ven 9 h – 18 h", "hospital": "Urgences 24 h/24",
    "grocery": "Mar–sam 8 h – 12 h 30, 15 h 30 – 19 h ; dim 8 h – 12 h",
    "bakery": "Mar–dim 7 h – 13 h, 16 h – 19 h", "post_office": "Lun–ven 9 h – 12 h, sam 9 h – 11 h 30",
    "bank": "Distributeur 24 h/24", "train_station": "Guichet lun–sam 6 h 30 – 19 h",
    "bus_line": "Plusieurs départs par jour vers la préfecture", "coworking": "Lun–ven 8 h 30 – 19 h, badge 24 h/24",
    "library": "Mar, mer 14 h – 18 h ; sam 10 h – 12 h 30", "sports_ground": "Accès libre, clubs en soirée",
    "restaurant": "Midi du lundi au samedi, soir le week-end",
}  # fmt: skip
NO_PHONE = {"market", "bus_line", "sports_ground", "bank"}
MARKET_HOURS = "8 h – 13 h"


def _point_in(
    commune: Commune, territory: Territory, rng: random.Random, spread_deg: float, tries: int = 12
) -> tuple[float, float] | None:
    """A point near the commune's centre that falls inside its boundary, or None."""
    cos_lat = math.cos(math.radians(commune.lat))
    for attempt in range(tries + 1):
        if attempt == tries:  # last resort: the centre itself (the data puts it inside the commune)
            lat, lon = commune.lat, commune.lon
        else:
            lat = commune.lat + rng.uniform(-spread_deg, spread_deg)
            lon = commune.lon + rng.uniform(-spread_deg, spread_deg) / cos_lat
        found = commune_at_point(lon=lon, lat=lat, territory=territory)
        if found is not None and found.pk == commune.pk:
            return round(lat, 6), round(lon, 6)
    return None


def _service_plan(territory: Territory, village_communes: list[Commune]) -> list[tuple[Commune, str, int]]:
    """(commune, category, ordinal) for the villages' communes, then for other communes drawn at random."""
    rng = random.Random(f"{SEED}:{territory.slug}:service-plan")
    plan = []
    for commune in village_communes:
        population = commune.population or 0
        for category, first, second in VILLAGE_SERVICES:
            if population >= first:
                plan.append((commune, category, 0))
            if second is not None and population >= second:
                plan.append((commune, category, 1))
        if commune.search_name in TRAIN_STATIONS:
            plan.append((commune, "train_station", 0))
    taken = {c.pk for c in village_communes}
    fields = ("pk", "code", "name", "lat", "lon", "postcodes", "territory_id")
    others = [
        c
        for c in territory.communes.exclude(boundary=None).only(*fields).order_by("code")
        if c.pk not in taken
    ]
    for commune in sorted(rng.sample(others, min(OTHER_COMMUNES, len(others))), key=lambda c: c.code):
        for category in rng.sample(OTHER_COMMUNE_SERVICES, rng.choice([1, 1, 2])):
            plan.append((commune, category, 0))
    return plan


def _load_services(*, territory: Territory, village_communes: list[Commune], report: SampleReport) -> None:
    from sohosolo.services.models import Service

    today = timezone.localdate()
    existing = set(
        Service.objects.filter(commune__territory=territory, is_sample=True).values_list(
            "commune_id", "category", "name"
        )
    )
    new = []
    for commune, category, ordinal in _service_plan(territory, [c for c in village_communes if c.boundary]):
        names = SERVICE_NAMES[category]
        name = names[ordinal % len(names)].format(name=commune.name, de_name=de_name(commune.name))
        if ordinal >= len(names):
            name = f"{name} {ordinal + 1}"
        if (commune.pk, category, name) in existing:
            report.count("Services de proximité", False)
            continue
        # One generator per service: the same values on every run, whatever is already there.
        rng = random.Random(f"{SEED}:{commune.code}:{category}:{ordinal}")
        spread = 0.012 if category in ("sports_ground", "hospital", "lycee", "train_station") else 0.005
        position = _point_in(commune, territory, rng, spread)
        if position is None:
            continue
        market_day = rng.randrange(7) if category == "market" else None
        number, street = rng.randint(1, 40), STREETS.get(category) or rng.choice(OTHER_STREETS)
        phone = f"05 36 49 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"  # ARCEP range kept for fiction
        verified = today - timedelta(days=rng.randint(0, 365))
        postcode = (commune.postcodes or [""])[0]
        if category == "market":
            hours = MARKET_HOURS
            address = f"{street.capitalize()}, {postcode} {commune.name}"
        else:
            hours = OPENING_HOURS[category]
            address = f"{number} {street}, {postcode} {commune.name}"
        new.append(
            Service(
                commune=commune,
                category=category,
                name=name,
                address=address,
                lat=position[0],
                lon=position[1],
                market_day=market_day,
                opening_hours=hours,
                phone="" if category in NO_PHONE else phone,
                last_verified=verified,
                is_sample=True,
            )
        )
        existing.add((commune.pk, category, name))
    Service.objects.bulk_create(new, batch_size=500)
    report.count("Services de proximité", True, len(new))


# --- Connectivity -----------------------------------------------------------------------------------------


def connectivity_fill_sample(*, territory: Territory, report: SampleReport | None = None) -> int:
    """Give every commune of the territory without connectivity figures generated sample figures.

    Plausible, not real: the fibre share and mobile coverage grow with the population. Deterministic
    (seeded by the commune code). Returns how many rows were created.
    """
    from sohosolo.connectivity.models import Connectivity, MobileLevel

    levels = [MobileLevel.NONE, MobileLevel.BASIC, MobileLevel.GOOD, MobileLevel.VERY_GOOD]
    date = timezone.localdate().replace(day=1)
    communes = territory.communes.filter(connectivity__isnull=True).order_by("code")
    rows = []
    for commune in communes.only("pk", "code", "population"):
        rng = random.Random(f"{SEED}:{commune.code}:connectivity")
        population = commune.population or 0
        size = min(1.0, math.log10(max(population, 10)) / 4)  # 0.25 for 10 inhabitants, 1 from 10,000
        if rng.random() < 0.18 * (1 - size):
            fibre = 0.0
        else:
            fibre = round(min(100.0, 40 + 60 * size + rng.uniform(-20, 15)), 1)
        mobile = {}
        for operator in ("orange", "sfr", "bouygues", "free"):
            score = size * 3 + rng.uniform(-1.2, 0.8)
            mobile[f"mobile_{operator}"] = levels[max(0, min(3, round(score)))]
        rows.append(
            Connectivity(
                commune=commune,
                fibre_share_pct=max(0.0, fibre),
                best_dsl_mbps=round(rng.uniform(2, 12) + 50 * size * rng.random(), 1),
                fixed_4g=rng.random() < 0.6 + 0.4 * size,
                fixed_5g=population >= 2000 and rng.random() < 0.5,
                satellite=True,
                source=CONNECTIVITY_SOURCE,
                date=date,
                is_sample=True,
                **mobile,
            )
        )
    Connectivity.objects.bulk_create(rows, batch_size=500)
    if report is not None:
        kind = "Couverture numérique générée (communes sans chiffres)"
        report.count(kind, True, len(rows))
        report.count(kind, False, territory.communes.count() - len(rows))
    return len(rows)


# --- Housing offers ---------------------------------------------------------------------------------------

# kind: (weight, share for rent, surface range m², rooms range or None, sale price range €, rent range €/month)
HOUSING_KINDS = {
    "house": (10, 0.45, (70, 220), (3, 7), (110_000, 450_000), (650, 1400)),
    "flat": (5, 0.8, (28, 95), (1, 4), (90_000, 190_000), (450, 850)),
    "office": (2, 0.85, (12, 90), (1, 3), (90_000, 160_000), (450, 900)),
    "land": (2, 0.0, (900, 4000), None, (90_000, 140_000), (450, 600)),
    "premises": (2, 0.6, (60, 300), (1, 3), (110_000, 320_000), (600, 1400)),
    "takeover": (2, 0.2, (70, 350), None, (90_000, 280_000), (800, 1400)),
}
HOUSING_TITLES = {  # per kind: title per language; {rooms}, {surface}
    "house": {"fr": "Maison de {rooms} pièces, {surface} m²", "en": "{rooms}-room house, {surface} m²",
              "es": "Casa de {rooms} habitaciones, {surface} m²", "pt": "Moradia de {rooms} divisões, {surface} m²"},
    "flat": {"fr": "Appartement T{rooms}, {surface} m²", "en": "{rooms}-room flat, {surface} m²",
             "es": "Piso de {rooms} habitaciones, {surface} m²", "pt": "Apartamento T{rooms}, {surface} m²"},
    "office": {"fr": "Bureau de {surface} m²", "en": "Office, {surface} m²", "es": "Oficina de {surface} m²",
               "pt": "Escritório de {surface} m²"},
    "land": {"fr": "Terrain à bâtir de {surface} m²", "en": "Building plot, {surface} m²",
             "es": "Terreno edificable de {surface} m²", "pt": "Terreno para construção, {surface} m²"},
    "premises": {"fr": "Local professionnel de {surface} m²", "en": "Business premises, {surface} m²",
                 "es": "Local comercial de {surface} m²", "pt": "Espaço comercial de {surface} m²"},
    "takeover": {"fr": "Commerce à reprendre, {surface} m²", "en": "Business for takeover, {surface} m²",
                 "es": "Negocio en traspaso, {surface} m²", "pt": "Negócio para trespasse, {surface} m²"},
}  # fmt: skip
HOUSING_TEXT = {
    "fr": "Annonce d'exemple, générée pour la démonstration. {what} à {name}, proche du centre. Le comité "
    "d'accueil répond à vos questions et organise la visite.",
    "en": "Sample listing, generated for the demonstration. {what} in {name}, close to the centre. The "
    "welcome committee answers your questions and arranges the visit.",
    "es": "Anuncio de ejemplo, generado para la demostración. {what} en {name}, cerca del centro. El comité "
    "de acogida responde a sus preguntas y organiza la visita.",
    "pt": "Anúncio de exemplo, gerado para a demonstração. {what} em {name}, perto do centro. A comissão de "
    "acolhimento responde às suas perguntas e organiza a visita.",
}
HOUSING_ALT = {
    "house": "façade d'une maison avec sa porte et ses fenêtres",
    "flat": "immeuble de trois étages",
    "office": "façade d'un bureau avec vitrine",
    "land": "terrain clôturé au pied des coteaux",
    "premises": "façade d'un local professionnel avec auvent",
    "takeover": "devanture d'un commerce avec auvent",
}


def _offers_per_village(population: int | None) -> int:
    population = population or 0
    return 1 + (population >= 1000) + (population >= 4000)


PHOTO_VARIANTS = 3  # drawings per kind of property, shared by the offers (drawing 125 would be slow)
KIND_CAPTIONS = {
    "house": "Maison", "flat": "Appartement", "office": "Bureau", "land": "Terrain à bâtir",
    "premises": "Local professionnel", "takeover": "Commerce à reprendre",
}  # fmt: skip


@lru_cache(maxsize=64)
def _housing_photo_bytes(kind: str, variant: int) -> tuple[bytes, bytes]:
    """A drawing and its thumbnail, made by the housing app's upload processing when it is there."""
    data = housing_picture(
        rng=random.Random(f"{SEED}:{kind}:{variant}"), kind=kind, title=KIND_CAPTIONS[kind]
    )
    try:
        from sohosolo.core.images import process_upload
    except ImportError:
        return data, thumbnail_of(data)
    processed = process_upload(ContentFile(data, name="photo.jpg"))
    return processed.image.read(), processed.thumbnail.read()


@lru_cache(maxsize=4)
def _password_hash(password: str) -> str:
    return make_password(password)  # hashed once: hashing each sample account's password takes seconds


def _load_housing(
    *, territory: Territory, villages: list[Village], committees: dict, report: SampleReport
) -> None:
    from sohosolo.housing.models import DEFAULT_VALIDITY, HousingOffer, HousingPhoto, HousingStatus

    rng = random.Random(f"{SEED}:{territory.slug}:housing")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    kinds = list(HOUSING_KINDS)
    weights = [HOUSING_KINDS[k][0] for k in kinds]
    existing = {
        (offer.village_id, offer.title_fr): offer
        for offer in HousingOffer.objects.filter(village__in=villages, is_sample=True).only(
            "pk", "village_id", "title_fr", "status", "expires_at"
        )
    }
    report.count(
        "Photos de logements",
        False,
        HousingPhoto.objects.filter(offer__village__in=villages, offer__is_sample=True).count(),
    )
    for village in villages:
        commune = village.commune
        authors = committees.get(village.pk) or [None]
        seen_titles = set()
        for index in range(_offers_per_village(commune.population)):
            kind = rng.choices(kinds, weights)[0]
            _, rent_share, surfaces, rooms_range, sale, rent = HOUSING_KINDS[kind]
            transaction_kind = "rent" if rng.random() < rent_share else "sale"
            surface = rng.randint(*surfaces)
            surface = round(surface, -2) if kind == "land" else surface
            rooms = rng.randint(*rooms_range) if rooms_range else None
            low, high = rent if transaction_kind == "rent" else sale
            step = 10 if transaction_kind == "rent" else 5000
            price = rng.randrange(low, high + 1, step)
            lat = round(commune.lat + rng.uniform(-0.006, 0.006), 3)  # approximate: about 100 m
            lon = round(commune.lon + rng.uniform(-0.008, 0.008), 3)
            expires_at = now + timedelta(days=rng.randint(5, 55), hours=rng.randint(0, 23))
            n_photos = rng.randint(1, 3)
            author = authors[index % len(authors)]
            titles = {lang: HOUSING_TITLES[kind][lang].format(rooms=rooms, surface=surface) for lang in LANGS}
            if titles["fr"] in seen_titles:
                titles = {lang: f"{title} ({index + 1})" for lang, title in titles.items()}
            seen_titles.add(titles["fr"])
            kept = existing.get((village.pk, titles["fr"]))
            if kept is not None:
                report.count("Offres de logement", False)
                if kept.status in (HousingStatus.PUBLISHED, HousingStatus.EXPIRED) and (
                    kept.expires_at is None or kept.expires_at <= now
                ):
                    # Weeks later the demonstration still needs offers: renew the expired sample ones.
                    HousingOffer.objects.filter(pk=kept.pk).update(
                        status=HousingStatus.PUBLISHED,
                        published_at=expires_at - DEFAULT_VALIDITY,
                        expires_at=expires_at,
                        expiry_reminder_sent_at=None,
                    )
                    report.count("Offres de logement expirées, renouvelées", True)
                continue
            texts = {lang: HOUSING_TEXT[lang].format(what=titles[lang], name=commune.name) for lang in LANGS}
            offer = HousingOffer.objects.create(
                village=village,
                kind=kind,
                transaction=transaction_kind,
                price=price,
                surface_m2=surface,
                rooms=rooms,
                lat=lat,
                lon=lon,
                status=HousingStatus.PUBLISHED,
                published_at=expires_at - DEFAULT_VALIDITY,
                expires_at=expires_at,
                author=author,
                is_sample=True,
                **_translated("title", titles),
                **_translated("description", texts),
            )
            report.count("Offres de logement", True)
            for position in range(n_photos):
                image, thumb = _housing_photo_bytes(kind, (index + position) % PHOTO_VARIANTS)
                photo = HousingPhoto(
                    offer=offer,
                    position=position,
                    alt_text=f"Illustration d'exemple générée : {HOUSING_ALT[kind]}, {commune.name}",
                )
                stem = f"exemple-{village.slug}-{offer.pk}-{position + 1}"
                photo.image.save(f"{stem}.jpg", ContentFile(image), save=False)
                photo.thumbnail.save(f"{stem}-vignette.jpg", ContentFile(thumb), save=False)
                photo.save()
                report.count("Photos de logements", True)


# --- Everything -------------------------------------------------------------------------------------------


def _delete(queryset) -> int:
    """Delete and return how many rows of the queryset's own model went (not the cascaded ones)."""
    return queryset.delete()[1].get(queryset.model._meta.label, 0)


@transaction.atomic
def villages_reset_sample(*, territory: Territory) -> dict[str, int]:
    """Delete the sample villages of a territory and everything this module made for them (files too).

    Only objects marked ``is_sample`` are touched; the communes, the sample accounts of
    accounts/sample.py and anything real stay. Returns how many of each kind were deleted.
    """
    from auditlog.context import disable_auditlog

    from sohosolo.accounts.models import Membership, User
    from sohosolo.connectivity.models import Connectivity
    from sohosolo.housing.models import HousingOffer, HousingPhoto
    from sohosolo.services.models import Service

    villages = Village.objects.filter(territory=territory, is_sample=True)
    files = [
        *(
            f
            for p in HousingPhoto.objects.filter(offer__village__in=villages)
            for f in (p.image, p.thumbnail)
        ),
        *(p.image for p in VillagePhoto.objects.filter(village__in=villages)),
        *(v.product_photo for v in villages if v.product_photo),
    ]
    memberships = Membership.objects.filter(
        scope_type=ContentType.objects.get_for_model(Village), scope_id__in=villages.values("pk")
    )
    # The committee accounts made here: "<first name>.<village>@<territory>.soho-solo.example".
    users = User.objects.filter(
        is_sample=True, email__regex=rf"^[a-z-]+\.[a-z0-9-]+@{territory.slug}\.soho-solo\.example$"
    )
    with disable_auditlog():  # removing sample data is nobody's change either
        deleted = {
            "Offres de logement": _delete(HousingOffer.objects.filter(village__in=villages, is_sample=True)),
            "Rôles de comité (par village)": _delete(memberships),
            "Membres de comités d'exemple": _delete(users),
            "Villages": _delete(villages),
            "Services de proximité": _delete(
                Service.objects.filter(commune__territory=territory, is_sample=True)
            ),
            "Couverture numérique": _delete(
                Connectivity.objects.filter(commune__territory=territory, is_sample=True)
            ),
        }
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])
    return deleted


def villages_load_sample(
    *, territory: Territory, password: str, report: SampleReport | None = None
) -> SampleReport:
    """Create (or keep) the sample villages of a territory with their committees, services and housing.

    Connectivity is separate (``connectivity_fill_sample``): the command first tries the sample CSV.
    """
    from auditlog.context import disable_auditlog

    report = report or SampleReport()
    # Sample loading is nobody's change: keep it out of the audit log (and fast).
    with disable_auditlog(), transaction.atomic():
        villages = _load_villages(territory=territory, report=report)
        committees = _load_committees(
            territory=territory, villages=villages, password_hash=_password_hash(password), report=report
        )
        _load_services(territory=territory, village_communes=[v.commune for v in villages], report=report)
        _load_housing(territory=territory, villages=villages, committees=committees, report=report)
    return report
