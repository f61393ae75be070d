"""Sample territory settings (not open data: shown with the label « Donnée d'exemple »)."""

SAMPLE_TERRITORIES = [
    {
        "slug": "gers",
        "departement": "32",
        "hostnames": ["gers.localhost"],
        "name": {"fr": "Gers", "en": "Gers", "es": "Gers", "pt": "Gers"},
        "description": {
            "fr": "Le Gers accueille les indépendants, télétravailleurs et très petites entreprises qui "
            "choisissent de vivre et travailler à la campagne, à 1 h 10 de Toulouse.",
            "en": "The Gers welcomes freelancers, teleworkers and very small businesses who choose to live "
            "and work in the countryside, 1 h 10 from Toulouse.",
            "es": "El Gers acoge a autónomos, teletrabajadores y microempresas que eligen vivir y trabajar "
            "en el campo, a 1 h 10 de Toulouse.",
            "pt": "O Gers acolhe trabalhadores independentes, teletrabalhadores e microempresas que escolhem "
            "viver e trabalhar no campo, a 1 h 10 de Toulouse.",
        },
        "colour": "#1f5c3d",
        "yearly_goal_families": 50,
        "main_cities": [
            {"name": "Toulouse", "lat": 43.6045, "lon": 1.4440},
            {"name": "Auch", "lat": 43.6460, "lon": 0.5857},
            {"name": "Agen", "lat": 44.2033, "lon": 0.6163},
            {"name": "Tarbes", "lat": 43.2328, "lon": 0.0781},
        ],
    },
    {
        "slug": "landes",
        "departement": "40",
        "hostnames": ["landes.localhost"],
        "name": {"fr": "Landes", "en": "Landes", "es": "Landas", "pt": "Landes"},
        "description": {
            "fr": "Territoire d'exemple : les Landes, entre forêt et océan, pour montrer plusieurs territoires "
            "sur une même plateforme.",
            "en": "Sample territory: the Landes, between forest and ocean, to show several territories on one "
            "platform.",
            "es": "Territorio de ejemplo: las Landas, entre bosque y océano, para mostrar varios territorios en "
            "una misma plataforma.",
            "pt": "Território de exemplo: as Landes, entre floresta e oceano, para mostrar vários territórios "
            "na mesma plataforma.",
        },
        "colour": "#1d4f7a",
        "yearly_goal_families": 30,
        "main_cities": [
            {"name": "Bordeaux", "lat": 44.8378, "lon": -0.5792},
            {"name": "Mont-de-Marsan", "lat": 43.8902, "lon": -0.4990},
            {"name": "Bayonne", "lat": 43.4929, "lon": -1.4748},
        ],
    },
]
