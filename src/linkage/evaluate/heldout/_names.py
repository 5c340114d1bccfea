"""Name cultures for the held-out generator: lists, spellings, nicknames, naming customs.

Written apart from :mod:`linkage.synth` on purpose (other lists, other customs,
other weights). Lists are roughly ordered from common to rare; an entry
``"Mohammed|Muhammad|Mohamed"`` is one name with its spellings, the first being
the one on the person's documents. What each culture models:

* ``dutch``: surnames with prefixes (``van der Berg``, ``de Vries``), formal
  given names with everyday short forms (Johannes/Hans, Cornelis/Kees,
  Wilhelmina/Mien), often two or three given names;
* ``romanian``: comma-below and cedilla diacritics, double given names
  (Ana-Maria), short forms (Alexandru/Sandu, Dumitru/Mitică, Ștefan/Fane);
* ``hungarian``: surname first in the native order, short forms
  (István/Pista, Erzsébet/Böske);
* ``polish``: gendered surnames (Kowalski/Kowalska), diminutives that change
  the first letter (Małgorzata/Gosia, Aleksandra/Ola, Jakub/Kuba);
* ``bulgarian`` and ``ukrainian``: Cyrillic, romanised per reporter under the
  schemes of :mod:`._translit`; Bulgarian surnames gendered (Иванов/Иванова);
  Ukrainian names also in their Russian form (Микола/Nikolay, Катерина/Yekaterina);
* ``west_african``: Nigerian (Yoruba, Igbo, Edo, Hausa) and Ghanaian names,
  the common Christian "virtue" names (Blessing, Precious), surname first on
  many documents;
* ``arabic``: Moroccan and Levantine spellings (Youssef/Yusuf/Joesoef,
  Khadija/Chadidja, Brahim/Ibrahim, Driss/Idris), ``El``/``Ait`` surnames;
* ``eritrean``: no family name: the second name is the father's given name,
  so siblings share it; Ge'ez names in several Latin spellings
  (Yohannes/Johannes, Tsegay/Segay, Ghebre/Gebre);
* ``vietnamese``: family name first, a middle name (Thị, Văn) before the given
  name, a few family names carry most people (Nguyễn about 38%);
* ``chinese``: family name first, pinyin and Wade-Giles/Cantonese spellings
  (Zhang/Chang/Cheung, Xu/Hsu, Wu/Ng), a few family names carry most people;
* ``brazilian`` and ``hispanic``: compound given names (Maria José, Juan
  Carlos), two surnames (mother's then father's in Brazil, father's then
  mother's in Spanish-speaking countries), short forms (Francisco/Paco/Chico,
  José/Pepe/Zé).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Entry = tuple[str, ...]


def _entries(text: str) -> tuple[Entry, ...]:
    return tuple(tuple(s.strip() for s in item.split("|")) for item in text.split(",") if item.strip())


def _nick(text: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for item in text.split(";"):
        if item.strip():
            name, forms = item.split(":")
            out[name.strip()] = tuple(f.strip() for f in forms.split("/"))
    return out


@dataclass(frozen=True)
class Culture:
    """One naming culture. Entries hold spellings, the documented one first."""

    key: str
    female: tuple[Entry, ...]
    male: tuple[Entry, ...]
    surnames: tuple[Entry, ...]
    #: female forms of ``surnames`` (same order) where surnames are gendered
    surnames_female: tuple[Entry, ...] | None = None
    #: known shares of the surnames (same order), instead of the frequency law
    surname_weights: tuple[float, ...] | None = None
    script: Literal["latin", "cyrillic"] = "latin"
    language: str = ""
    #: the native order writes the surname first
    family_first: bool = False
    #: share of persons with a second given name
    second_given: float = 0.0
    #: share of persons with two surnames
    double_surname: float = 0.0
    #: middle names written before the given name (Vietnamese Thị, Văn), by sex
    middle_female: tuple[str, ...] = ()
    middle_male: tuple[str, ...] = ()
    middle_share: float = 0.0
    #: everyday short forms of given names (documented spelling -> forms)
    nicknames: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Russian forms of given names (documented Cyrillic -> Latin)
    russian: Mapping[str, str] = field(default_factory=dict)
    #: the second name is the father's given name (no family name)
    patronymic: bool = False
    #: how much more often than average reporters swap given name and surname
    swap_factor: float = 1.0


def _gender_pl(entry: Entry) -> Entry:
    def one(s: str) -> str:
        for m, f in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if s.endswith(m):
                return s[: -len(m)] + f
        return s

    return tuple(one(s) for s in entry)


def _gender_bg(entry: Entry) -> Entry:
    def one(s: str) -> str:
        return s + "а" if s.endswith(("ов", "ев", "ин")) else s

    return tuple(one(s) for s in entry)


_DUTCH = Culture(
    key="dutch",
    female=_entries(
        "Maria, Johanna, Anna, Cornelia, Wilhelmina, Elisabeth, Catharina, Hendrika, Petronella, Geertruida,"
        "Margaretha, Sanne, Lotte, Femke, Anouk, Fleur, Iris, Lieke, Esmee, Britt, Demi, Romy, Maud, Noa, Jasmijn,"
        "Chantal, Kelly, Samantha, Shirley, Priscilla, Melissa, Bianca, Tamara, Naomi, Kimberley, Nikki, Daphne"
    ),
    male=_entries(
        "Johannes, Cornelis, Hendrik, Jacobus, Willem, Pieter, Gerrit, Jan, Dirk, Adrianus, Petrus, Thijs, Daan,"
        "Bram, Jesse, Ruben, Sem, Milan, Levi, Stijn, Joost, Sander, Niels, Bas, Rick, Kevin, Dennis, Mark, Jeroen,"
        "Wouter, Maarten, Koen, Lars, Robin, Tygo"
    ),
    surnames=_entries(
        "de Jong, Jansen, de Vries, van den Berg|van der Berg, van Dijk|van Dyk, Bakker, Janssen, Visser, Smit,"
        "Meijer|Meyer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer, de Wit,"
        "Dijkstra|Dykstra, Smits, de Graaf, van der Meer, van der Linden, Kok, Jacobs, de Haan, Vermeulen,"
        "van den Heuvel, van der Veen, van den Broek, de Bruijn|de Bruyn, van der Heijden, Schouten, van Beek,"
        "Willems, van Vliet, van de Ven, Hoekstra, Maas, Verhoeven, Koster, van Dam, van der Wal, Prins, Blom,"
        "Huisman, de Jonge, Kuipers, Postma, Veenstra, Kramer, van den Brink, Scholten, van Wijk, Martens, Vink,"
        "de Ruiter, Timmermans, Groen, Gerritsen, Jonker, van Loon, Boer, Willemsen, Smeets, de Lange, Bosch,"
        "van Dongen, Schipper, de Koning, van der Laan, Driessen, van Doorn, Hermans, Evers, Wolters, Sanders,"
        "Molenaar, de Leeuw, Verbeek, Zwart, Kroon"
    ),
    second_given=0.45,
    nicknames=_nick(
        "Johannes: Hans/Jan/Johan; Cornelis: Kees/Cor; Hendrik: Henk/Rik; Jacobus: Koos/Jaap; Willem: Wim;"
        "Pieter: Piet; Gerrit: Gert; Adrianus: Ad/Janus; Petrus: Peter; Dirk: Dick;"
        "Wilhelmina: Mien/Willy; Johanna: Anneke/Jo; Cornelia: Corrie/Nel; Elisabeth: Lies/Betty; "
        "Catharina: Toos/Ria; Hendrika: Riek/Rika; Petronella: Nel/Ellie; Geertruida: Truus/Trudy;"
        "Margaretha: Greet/Margriet; Maria: Mieke/Marieke"
    ),
)

_ROMANIAN = Culture(
    key="romanian",
    female=_entries(
        "Maria, Elena, Ioana, Andreea, Mihaela, Ana-Maria, Alexandra, Cristina, Gabriela, Alina, Daniela,"
        "Georgiana, Roxana, Florentina, Nicoleta, Ramona, Simona, Larisa, Bianca, Denisa, Petronela, Loredana,"
        "Claudia, Adriana, Oana, Iuliana, Luminița|Luminiţa, Violeta, Mădălina, Anca"
    ),
    male=_entries(
        "Ion, Gheorghe, Alexandru, Andrei, Mihai, Constantin, Vasile, Ștefan|Ştefan, Florin, Marian, Cosmin,"
        "Adrian, Ionuț|Ionuţ, Cătălin, Bogdan, Răzvan, Nicolae, Dumitru, Petru, Sorin, Ciprian, Liviu, Valentin,"
        "Marius, Daniel, Costel, Viorel, Fănel, Iulian, Lucian"
    ),
    surnames=_entries(
        "Popa, Popescu, Pop, Radu, Dumitru, Stan, Stoica, Gheorghe, Matei, Ciobanu, Ionescu, Rusu, Mihai,"
        "Constantin, Munteanu, Moldovan, Marin, Lungu, Georgescu, Tudor, Ene, Florea, Dinu, Barbu, Sârbu, Nistor,"
        "Toma, Zamfir, Cristea, Lazăr, Țurcanu|Ţurcanu, Ursu, Oprea, Dobre, Stănescu, Niculescu, Bălan, Neagu,"
        "Voicu, Nedelcu, Anghel, Preda, Enache, Vlad, Avram, Iordache, Grigore, Manole, Călin, Șerban|Şerban"
    ),
    second_given=0.15,
    nicknames=_nick(
        "Alexandru: Sandu/Alex; Gheorghe: Gică/George; Ion: Ionel/Nelu; Constantin: Costel/Costi;"
        "Dumitru: Mitică/Dumi; Ștefan: Fane/Ştefi; Nicolae: Nicu/Nae; Vasile: Vasi; Mihai: Mihăiță;"
        "Elena: Lenuța/Nuți; Mihaela: Miha; Ana-Maria: Ana/Maria; Alexandra: Sanda/Alex; Gabriela: Gabi;"
        "Georgiana: Geo; Florentina: Flori/Tina; Nicoleta: Nicu"
    ),
)

_HUNGARIAN = Culture(
    key="hungarian",
    female=_entries(
        "Mária, Erzsébet, Katalin, Éva, Ilona, Anna, Zsuzsanna, Margit, Judit, Ágnes, Andrea, Erika, Krisztina,"
        "Edit, Szilvia, Anita, Tímea, Eszter, Viktória, Dóra, Zsófia, Réka, Nikolett, Brigitta, Renáta"
    ),
    male=_entries(
        "László, István, József, János, Zoltán, Sándor, Gábor, Ferenc, Attila, Péter, Tamás, Zsolt, Tibor,"
        "András, Csaba, Imre, Lajos, György, Balázs, Róbert, Norbert, Krisztián, Dávid, Gyula, Mihály"
    ),
    surnames=_entries(
        "Nagy, Kovács, Tóth, Szabó, Horváth, Varga, Kiss, Molnár, Németh, Farkas, Balogh, Papp, Takács, Juhász,"
        "Lakatos, Mészáros, Oláh, Simon, Rácz, Fekete, Szilágyi, Török, Fehér, Balázs, Gál, Kis, Szűcs|Szücs,"
        "Kocsis, Orsós, Pintér, Fodor, Szalai, Sipos, Magyar, Lukács, Gulyás, Biró|Bíró, Király, Katona, Jakab,"
        "Bogdán, Sárközi, Vadász"
    ),
    family_first=True,
    second_given=0.08,
    nicknames=_nick(
        "Erzsébet: Erzsi/Böske; Katalin: Kati/Kata; Zsuzsanna: Zsuzsa/Zsuzsi; Mária: Marika/Mari;"
        "Ilona: Ica/Ilonka; Margit: Manci/Gitta; József: Józsi/Jóska; István: Pista/Isti; János: Jancsi/Jani;"
        "Sándor: Sanyi; Ferenc: Feri/Ferkó; László: Laci; György: Gyuri; Mihály: Misi; Gábor: Gabi"
    ),
    swap_factor=2.5,
)

_POLISH_SURNAMES = _entries(
    "Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, Szymański, Woźniak,"
    "Dąbrowski, Kozłowski, Jankowski, Mazur, Kwiatkowski, Krawczyk, Piotrowski, Grabowski, Nowakowski,"
    "Pawłowski, Michalski, Nowicki, Adamczyk, Dudek, Zając, Wieczorek, Jabłoński, Król, Majewski, Olszewski,"
    "Jaworski, Wróbel, Malinowski, Pawlak, Witkowski, Walczak, Stępień, Górski, Rutkowski, Michalak, Sikora,"
    "Ostrowski, Baran, Duda, Szewczyk"
)
_POLISH = Culture(
    key="polish",
    female=_entries(
        "Anna, Maria, Katarzyna, Małgorzata, Agnieszka, Barbara, Ewa, Krystyna, Elżbieta, Magdalena, Joanna,"
        "Zofia, Aleksandra, Monika, Teresa, Danuta, Natalia, Karolina, Marta, Beata, Dorota, Justyna, Paulina,"
        "Weronika, Jadwiga"
    ),
    male=_entries(
        "Piotr, Krzysztof, Andrzej, Tomasz, Paweł, Jan, Michał, Marcin, Stanisław, Jakub, Adam, Marek, Łukasz,"
        "Grzegorz, Mateusz, Wojciech, Mariusz, Dariusz, Zbigniew, Jerzy, Maciej, Kamil, Rafał, Robert, Sebastian"
    ),
    surnames=_POLISH_SURNAMES,
    surnames_female=tuple(_gender_pl(e) for e in _POLISH_SURNAMES),
    second_given=0.3,
    nicknames=_nick(
        "Małgorzata: Gosia/Małgosia; Katarzyna: Kasia; Aleksandra: Ola; Agnieszka: Aga/Agnieszka; Elżbieta: Ela;"
        "Magdalena: Magda; Krystyna: Krysia; Barbara: Basia; Joanna: Asia; Zofia: Zosia; Jadwiga: Jadzia;"
        "Krzysztof: Krzysiek; Tomasz: Tomek; Stanisław: Staszek/Stasiu; Jakub: Kuba; Wojciech: Wojtek;"
        "Grzegorz: Grzesiek; Andrzej: Jędrek; Łukasz: Łukasz; Aleksander: Olek"
    ),
)

_BG_SURNAMES = _entries(
    "Иванов, Георгиев, Димитров, Петров, Николов, Христов, Стоянов, Тодоров, Илиев, Василев, Атанасов, Петков,"
    "Ангелов, Колев, Йорданов, Маринов, Стефанов, Попов, Михайлов, Костов, Цветков, Жеков, Янков, Чолаков,"
    "Шишков, Христозов, Желязков, Юруков"
)
_BULGARIAN = Culture(
    key="bulgarian",
    female=_entries(
        "Мария, Иванка, Елена, Йорданка, Пенка, Десислава, Гергана, Цветелина, Ралица, Радка, Христина, Юлия,"
        "Янка, Живка, Зорница, Снежана, Надежда, Станислава, Василка, Росица, Жана"
    ),
    male=_entries(
        "Георги, Иван, Димитър, Николай, Петър, Христо, Стефан, Йордан, Тодор, Васил, Александър, Стоян, Атанас,"
        "Красимир, Венцислав, Цветан, Живко, Ангел, Любомир, Явор, Юлиан"
    ),
    surnames=_BG_SURNAMES,
    surnames_female=tuple(_gender_bg(e) for e in _BG_SURNAMES),
    script="cyrillic",
    language="bg",
    second_given=0.02,
    nicknames=_nick(
        "Георги: Гошо/Жоро; Иван: Ванко; Димитър: Митко; Николай: Ники/Кольо; Петър: Пешо; Христо: Ицо;"
        "Йордан: Данчо; Александър: Сашо; Атанас: Наско; Мария: Мими/Маша; Йорданка: Данче; Христина: Тина"
    ),
)

_UKRAINIAN = Culture(
    key="ukrainian",
    female=_entries(
        "Олена, Ольга, Наталія, Тетяна, Юлія, Ірина, Оксана, Світлана, Галина, Людмила, Марія, Катерина,"
        "Анастасія, Вікторія, Христина, Євгенія, Яна, Дарина, Софія, Зоряна, Жанна"
    ),
    male=_entries(
        "Олександр, Сергій, Володимир, Андрій, Микола, Юрій, Іван, Олег, Дмитро, Віталій, Василь, Богдан, Тарас,"
        "Євген, Ярослав, Григорій, Павло, Максим, Остап, Петро"
    ),
    surnames=_entries(
        "Мельник, Шевченко, Бойко, Коваленко, Бондаренко, Ткаченко, Ковальчук, Кравченко, Олійник, Шевчук,"
        "Коваль, Поліщук, Бондар, Ткачук, Марченко, Лисенко, Руденко, Савченко, Петренко, Мороз, Кравчук,"
        "Павленко, Гончаренко, Харченко, Зінченко, Хоменко, Яковенко, Гриценко, Щербак, Юрченко, Жук, Чорновол"
    ),
    script="cyrillic",
    language="uk",
    second_given=0.0,
    nicknames=_nick(
        "Олександр: Саша/Сашко; Микола: Коля; Дмитро: Дима; Володимир: Вова; Сергій: Сергій; Юрій: Юра;"
        "Катерина: Катя; Олена: Лена; Наталія: Наташа; Тетяна: Таня; Анастасія: Настя; Євгенія: Женя;"
        "Людмила: Люда/Міла; Галина: Галя; Ірина: Іра; Світлана: Світа; Марія: Маша"
    ),
    russian={
        "Олександр": "Aleksandr", "Олена": "Yelena", "Ольга": "Olga", "Наталія": "Natalya", "Тетяна": "Tatyana",
        "Сергій": "Sergey", "Володимир": "Vladimir", "Андрій": "Andrey", "Микола": "Nikolay", "Юрій": "Yuriy",
        "Олег": "Oleg", "Дмитро": "Dmitriy", "Григорій": "Grigoriy", "Павло": "Pavel", "Петро": "Pyotr",
        "Катерина": "Yekaterina", "Євгенія": "Yevgeniya", "Анастасія": "Anastasiya", "Галина": "Galina",
        "Василь": "Vasiliy", "Євген": "Yevgeniy", "Христина": "Kristina", "Юлія": "Yuliya", "Ірина": "Irina",
        "Світлана": "Svetlana", "Людмила": "Lyudmila", "Марія": "Mariya", "Вікторія": "Viktoriya",
    },
)

_WEST_AFRICAN = Culture(
    key="west_african",
    female=_entries(
        "Blessing, Precious, Favour|Favor, Joy, Mercy, Peace, Gift, Esther, Grace, Faith, Princess, Chioma,"
        "Ngozi, Adaeze, Amaka, Funmilayo|Funmi, Folake, Aisha|Aishat, Hauwa, Zainab, Bukola, Yetunde, Omolara,"
        "Ifeoma, Nneka, Osasere|Osas, Efe, Eseosa, Itohan, Akua, Ama, Abena, Afua, Comfort, Patience, Gloria"
    ),
    male=_entries(
        "Emmanuel, Chinedu, Chukwuemeka|Chukwuemeka, Oluwaseun|Seun, Babatunde, Ibrahim, Musa, Abdullahi, Uche,"
        "Ikechukwu, Segun, Femi, Osagie, Osaze, Godwin, Friday, Sunday, Samuel, Daniel, Ifeanyi, Kelechi, Obinna,"
        "Yusuf|Yusuff, Aliyu, Kwame, Kofi, Kwaku, Yaw, Kwabena, Prince, Victor"
    ),
    surnames=_entries(
        "Okafor, Okeke, Eze, Nwosu, Okonkwo, Adeyemi, Adebayo, Ogunleye, Olawale, Bello, Abubakar, Mohammed,"
        "Ibrahim, Osagie, Igbinovia, Omoregie, Osaghae, Ehigiator, Obaseki, Uwaifo, Aigbe, Idahosa, Okoro, Chukwu,"
        "Obi, Ogbonna, Akpan, Etim, Usman, Lawal, Balogun, Ojo, Afolabi, Mensah, Asante, Owusu, Boateng, Osei,"
        "Appiah, Agyeman|Agyemang, Iyamu, Ekhator, Edosomwan|Edosomwan"
    ),
    second_given=0.35,
    nicknames=_nick(
        "Oluwaseun: Seun; Babatunde: Tunde; Chukwuemeka: Emeka; Funmilayo: Funmi; Oluwafemi: Femi;"
        "Ikechukwu: Ike; Ifeanyi: Ify; Osasere: Osas; Emmanuel: Emma; Abdullahi: Abdul; Elizabeth: Liz"
    ),
    swap_factor=1.8,
)

_ARABIC = Culture(
    key="arabic",
    female=_entries(
        "Fatima|Fatma|Fatiha, Khadija|Khadidja|Chadidja|Hadija, Aicha|Aïcha|Aisha, Meryem|Maryam|Mariam,"
        "Naima|Naïma, Zineb|Zainab|Zeinab, Hafsa, Salma, Nadia, Samira, Latifa, Hanane|Hanan, Rachida|Rashida,"
        "Siham, Loubna|Lubna, Imane|Iman, Malika, Souad|Suad, Btissam|Ibtissam, Houda|Huda, Noor|Nour, Rania"
    ),
    male=_entries(
        "Mohammed|Muhammad|Mohamed|Mohamad, Ahmed|Ahmad, Youssef|Yusuf|Youssouf|Joesoef, Abdelkader|Abdulkadir,"
        "Mustapha|Mustafa|Moestafa, Rachid|Rashid, Said|Saïd|Saeed, Hassan|Hasan, Hamid, Khalid|Khaled|Chalid,"
        "Omar|Umar, Abderrahim|Abdelrahim, Karim|Kareem, Brahim|Ibrahim, Driss|Idris, Hicham|Hisham,"
        "Nabil, Mehdi|Mahdi, Ayoub|Ayub, Bilal, Hamza, Tarik|Tariq"
    ),
    surnames=_entries(
        "El Amrani|Elamrani|Amrani, Benali|Ben Ali, Bennani, El Idrissi|Idrissi, Alaoui|Elalaoui, Tazi,"
        "El Fassi|Fassi, Chraibi|Chraïbi, Berrada, Benjelloun, El Mansouri|Mansouri, Ouahbi|Wahbi,"
        "Bouzid, Ait Ouali|Aït Ouali, El Khattabi|Khattabi, Ziani, Haddad, Lahlou, Belhaj|Belhadj, Azzouzi,"
        "Bakkali, Boukhris, Cherkaoui, El Hassani|Hassani, Al-Ahmad|Alahmad, Al-Hussein|Hussein|Houssein,"
        "Darwish|Darwich, Khalil, Saleh|Salih"
    ),
    second_given=0.1,
    nicknames=_nick("Mohammed: Mo/Hamid; Mustapha: Moestafa; Abdelkader: Kader; Abderrahim: Rahim; Fatima: Fati"),
    swap_factor=1.3,
)

_ERITREAN = Culture(
    key="eritrean",
    female=_entries(
        "Senait|Senayt, Helen, Selam, Mebrat|Mebrahtu, Yordanos|Jordanos, Winta, Saba, Feven|Fiven,"
        "Semhar, Rahwa, Luwam|Luam, Ruta, Eden, Hiwet|Hiwot, Tsega|Sega, Abeba, Freweyni|Frewoini, Meron,"
        "Almaz, Tirhas|Tirhass, Elsa, Yohanna|Johanna"
    ),
    male=_entries(
        "Yonas|Jonas, Yohannes|Johannes|Yohanes, Daniel, Samuel, Tesfay|Tesfaye|Tesfai, Tekle|Teklay,"
        "Berhane|Birhane, Habtom|Habtoom, Mehari, Filmon|Philemon, Merhawi, Yemane|Jemane, Kidane|Kidanne,"
        "Ghebremedhin|Gebremedhin, Tewelde|Tewolde, Haile|Hayle, Dawit|Dawid, Amanuel|Emmanuel, Futsum,"
        "Robel, Ghebre|Gebre, Tsegay|Segay|Tsegai, Kahsay|Kasay, Weldu|Woldu, Gebrehiwet|Ghebrehiwet"
    ),
    surnames=(),  # the father's given name: drawn from ``male``
    patronymic=True,
    swap_factor=1.8,
)

_VIETNAMESE = Culture(
    key="vietnamese",
    female=_entries(
        "Lan, Hương|Huong, Linh, Trang, Hoa, Mai, Ngọc|Ngoc, Thảo|Thao, Hằng|Hang, Phương|Phuong, Anh, Thu, Hà,"
        "Nhung, Yến|Yen, Vy, Nhi, Tuyết|Tuyet, Loan, Hạnh|Hanh"
    ),
    male=_entries(
        "Minh, Hùng|Hung, Tuấn|Tuan, Dũng|Dung, Nam, Long, Quang, Đức|Duc, Hải|Hai, Sơn|Son, Thắng|Thang,"
        "Hưng|Hung, Phúc|Phuc, Khoa, Tài|Tai, Bảo|Bao, Huy, Trung, Cường|Cuong, Thành|Thanh"
    ),
    surnames=_entries(
        "Nguyễn|Nguyen|Ngyuen, Trần|Tran, Lê|Le, Phạm|Pham, Hoàng|Hoang|Huang, Huỳnh|Huynh, Phan, Vũ|Vu, Võ|Vo,"
        "Đặng|Dang, Bùi|Bui, Đỗ|Do, Hồ|Ho, Ngô|Ngo, Dương|Duong, Lý|Ly"
    ),
    surname_weights=(38.4, 11.0, 9.5, 7.1, 3.1, 2.1, 4.5, 2.0, 1.9, 2.1, 2.0, 1.4, 1.3, 1.3, 1.0, 0.5),
    family_first=True,
    middle_female=("Thị", "Ngọc", "Thu"),
    middle_male=("Văn", "Đức", "Minh"),
    middle_share=0.85,
    swap_factor=3.0,
)

_CHINESE = Culture(
    key="chinese",
    female=_entries(
        "Xiuying|Hsiu-ying, Guiying|Kuei-ying, Yan|Yen, Jing|Ching, Li|Lee, Min, Xiaoyan|Hsiao-yen, Hong|Hung,"
        "Fang, Na, Ling, Hui|Hwei, Juan|Chuan, Mei, Lan, Yun, Xia|Hsia, Ping, Qian|Chien, Ying"
    ),
    male=_entries(
        "Wei, Jun|Chun, Lei, Yong, Jie|Chieh, Tao, Ming, Qiang|Chiang, Hao, Bin|Ping, Chao, Gang|Kang,"
        "Jian|Chien, Peng, Long|Lung, Jianhua|Chien-hua, Zhiqiang|Chih-chiang, Hui, Xin|Hsin, Bo|Po"
    ),
    surnames=_entries(
        "Wang|Wong, Li|Lee|Lei, Zhang|Chang|Cheung, Liu|Lau|Lao, Chen|Chan, Yang|Yeung, Huang|Hwang|Wong,"
        "Zhao|Chao|Chiu, Wu|Ng|Woo, Zhou|Chou|Chow, Xu|Hsu|Tsui, Sun|Suen, Ma, Zhu|Chu|Chue, Hu|Wu, Guo|Kuo|Kwok,"
        "He|Ho|Hor, Lin|Lam, Gao|Kao|Ko, Luo|Lo|Law, Zheng|Cheng|Cheng, Liang|Leung"
    ),
    surname_weights=(7.1, 7.9, 6.9, 5.4, 4.6, 3.1, 2.3, 2.3, 2.0, 1.9, 1.5, 1.4, 1.3, 1.3, 1.3, 1.2, 1.2, 1.2,
                     1.1, 1.1, 1.1, 0.9),
    family_first=True,
    swap_factor=3.0,
)

_BRAZILIAN = Culture(
    key="brazilian",
    female=_entries(
        "Maria, Ana, Francisca, Antônia|Antonia, Adriana, Juliana, Márcia|Marcia, Fernanda, Patrícia|Patricia,"
        "Aline, Vitória|Vitoria, Larissa, Camila, Jéssica|Jessica, Letícia|Leticia, Thaís|Thais, Bruna, Rafaela"
    ),
    male=_entries(
        "José|Jose, João|Joao, Antônio|Antonio, Francisco, Carlos, Paulo, Pedro, Lucas, Luiz|Luis, Marcos,"
        "Gabriel, Rafael, Daniel, Marcelo, Bruno, Eduardo, Felipe, Rodrigo, Thiago|Tiago"
    ),
    surnames=_entries(
        "Silva|da Silva, Santos|dos Santos, Oliveira|de Oliveira, Souza|Sousa|de Souza, Rodrigues, Ferreira,"
        "Alves, Pereira, Lima, Gomes, Costa, Ribeiro, Martins, Carvalho, Almeida, Lopes, Soares, Fernandes,"
        "Vieira, Barbosa, Rocha, Dias, Nascimento, Andrade, Moreira"
    ),
    second_given=0.4,
    double_surname=0.6,
    nicknames=_nick(
        "Francisco: Chico/Chiquinho; José: Zé/Zezinho; Antônio: Toninho/Tonho; João: Joãozinho;"
        "Francisca: Chica/Chiquinha; Antônia: Toninha; Fernanda: Nanda; Patrícia: Pati"
    ),
)

_HISPANIC = Culture(
    key="hispanic",
    female=_entries(
        "María|Maria, Luz, Carmen, Ana, Yenny|Jenny|Yeni, Yessica|Jessica|Yesica, Daniela, Valentina, Paola,"
        "Andrea, Yolanda, Diana, Marisol, Milagros, Yulisa|Julisa, Guadalupe, Rosa, Katherine|Katerin, Lorena"
    ),
    male=_entries(
        "José|Jose, Juan, Luis, Carlos, Jorge, Miguel, Andrés|Andres, Jesús|Jesus, Pedro, Julio, Wilmer|Wilmar,"
        "Yeison|Jeison, Jhon|John, Darwin, Edwin, Francisco, Alejandro, Javier|Xavier, Héctor|Hector, Richard"
    ),
    surnames=_entries(
        "García|Garcia, Rodríguez|Rodriguez, Martínez|Martinez, Hernández|Hernandez, López|Lopez,"
        "González|Gonzalez, Pérez|Perez, Sánchez|Sanchez, Ramírez|Ramirez, Torres, Flores, Rivera, Gómez|Gomez,"
        "Díaz|Diaz, Reyes, Morales, Jiménez|Jimenez, Castillo, Ortiz, Vargas, Rojas, Mendoza, Guzmán|Guzman,"
        "Peña|Pena, Medina, Herrera|Errera, Suárez|Suarez"
    ),
    second_given=0.45,
    double_surname=0.85,
    nicknames=_nick(
        "Francisco: Paco/Pancho/Curro; José: Pepe/Chepe; Jesús: Chuy/Chucho; Guadalupe: Lupe; Alejandro: Alex;"
        "Rosa: Rosita; Carmen: Mamen/Carmencita; Javier: Javi"
    ),
)

CULTURES: dict[str, Culture] = {
    c.key: c
    for c in (_DUTCH, _ROMANIAN, _HUNGARIAN, _POLISH, _BULGARIAN, _UKRAINIAN, _WEST_AFRICAN, _ARABIC, _ERITREAN,
              _VIETNAMESE, _CHINESE, _BRAZILIAN, _HISPANIC)
}
