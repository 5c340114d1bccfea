"""Small name lists per language group, and every way a reporter may spell a name.

The lists hold common given names and surnames (public knowledge, no real person's record),
ordered roughly by how common they are.  Names are drawn with weights ``1 / rank**ZIPF_EXPONENT``.
The exponent is calibrated to the design brief's measured population: 92.5% of 10,000 persons
have a unique (initials, birth year, nationality, sex) tuple. The lists' own first letters are
already skewed the way real ones are (many Romanian names start with M, A or I, many Dutch
surnames with J, M or S, most Vietnamese women's given names with "Thị"), so a uniform pick
within each list (exponent 0) gives 91.6% unique tuples on 10,000 persons; exponent 0.7 gave
82.5%, far more collisions than the brief's figure.

Cyrillic names (Bulgarian, Ukrainian, Russian) are stored in Cyrillic and rendered under
several Latin schemes, so that even the *initial* can differ between reporters
(Юлія: Yuliia / Joelija / Julija / Yuliya; Христина: Khrystyna / Chrystyna / Christina / Kristina;
Галина: Halyna / Galina; Олександр: Oleksandr / Aleksandr).  The truth spelling of a Cyrillic
name is its passport transliteration (Ukraine: KMU 2010; Russia: ICAO 9303 as in Russian
passports since 2013; Bulgaria: the Streamlined System).

Every name has :data:`N_VARIANTS` spellings, in this column order:

==  ==============  =====================================================================
0   canonical       truth spelling (Latin with diacritics, or passport transliteration)
1   ascii           diacritics dropped (ş -> s, ő -> o, ł -> l)
2   alt_diacritics  Romanian cedilla ş/ţ for comma-below ș/ț; Hungarian ö/ü for ő/ű
3   dutch           Dutch transliteration (Joelija, Chrystyna, Zjanna); Latin names unchanged
4   german          German transliteration (Julija, Christina, Schanna)
5   scholarly       scientific transliteration with diacritics (Julija, Žanna, Chrystyna)
6   russian         Russian form of a Ukrainian name, BGN/PCGN (Aleksandr, Galina, Kristina)
7   original        original Cyrillic script
==  ==============  =====================================================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

VARIANTS: tuple[str, ...] = (
    "canonical", "ascii", "alt_diacritics", "dutch", "german", "scholarly", "russian", "original",
)
N_VARIANTS = len(VARIANTS)
V_CANONICAL, V_ASCII, V_ALT, V_DUTCH, V_GERMAN, V_SCHOLARLY, V_RUSSIAN, V_ORIGINAL = range(N_VARIANTS)
ZIPF_EXPONENT = 0.0

Surname = str | tuple[str, str]  # one form, or (male form, female form)


@dataclass(frozen=True)
class NameGroup:
    """One language group's names and habits."""

    code: str
    script: str  # "latin" or "cyrillic"
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[Surname, ...]
    second_given_rate: float = 0.1
    swap_factor: float = 1.0  # how much more often than the reporter's base rate names are written surname-first
    aliases: Mapping[str, str] = field(default_factory=dict)  # Ukrainian -> Russian form of a name


def _t(s: str) -> tuple[str, ...]:
    return tuple(s.split(", "))


def _pairs(s: str) -> tuple[Surname, ...]:
    out: list[Surname] = []
    for item in s.split(", "):
        if "/" in item:
            m, f = item.split("/")
            out.append((m, f))
        else:
            out.append(item)
    return tuple(out)


_UK_ALIASES = dict(
    pair.split("=")
    for pair in (
        "Юлія=Юлия, Олена=Елена, Наталія=Наталья, Ірина=Ирина, Тетяна=Татьяна, Христина=Кристина, "
        "Анастасія=Анастасия, Катерина=Екатерина, Марія=Мария, Вікторія=Виктория, Світлана=Светлана, "
        "Євгенія=Евгения, Олександр=Александр, Андрій=Андрей, Сергій=Сергей, Юрій=Юрий, Дмитро=Дмитрий, "
        "Василь=Василий, Микола=Николай, Віталій=Виталий, Євген=Евгений, Ігор=Игорь, Володимир=Владимир, "
        "Григорій=Григорий, Олійник=Олейник, Поліщук=Полищук, Іваненко=Иваненко, Надія=Надежда, Софія=София, "
        "Вероніка=Вероника, Лілія=Лилия, Єлизавета=Елизавета, Анатолій=Анатолий, Кирило=Кирилл, Павло=Павел, "
        "Федір=Фёдор, Петро=Пётр, Артем=Артём, Поліна=Полина, Аліна=Алина, Уляна=Ульяна, Діана=Диана, "
        "Євтушенко=Евтушенко"
    ).split(", ")
)

GROUPS: tuple[NameGroup, ...] = (
    NameGroup(
        "nl", "latin",
        _t("Maria, Sanne, Julia, Sophie, Lisa, Emma, Anna, Samantha, Melissa, Jasmijn, Eva, Lotte, Fleur, "
           "Demi, Kim, Naomi, Chantal, Romy, Britt, Iris, Tessa, Nina, Laura, Esmee, Danielle, Kelly, Yara, Zoë, "
           "Hanna, Vera, Femke, Ilse, Priscilla, Bo, Amber, Charlotte, Gwen, Wendy, Ouafa"),
        _t("Jan, Mohamed, Sem, Daan, Jesse, Mark, Stefan, Lucas, Milan, Thomas, Kevin, Dennis, Joost, "
           "Jeroen, Jayden, Youssef, Sven, Ricardo, Bas, Tim, Ruben, Niels, Patrick, Rick, Gerrit, Hendrik, Wouter, "
           "Erik, Bram, Finn, Levi, Omar, Anouar, Luuk, Pieter, Cor, Vincent, Ahmed, Quinten"),
        _pairs("de Jong, Jansen, Janssen, de Vries, Smit, Meijer, Mulder, van den Berg, Bakker, Smits, "
               "van Dijk, Visser, Jacobs, Schouten, Martens, de Boer, Bos, Vos, Peters, Hendriks, "
               "van Leeuwen, Dekker, Brouwer, de Wit, Dijkstra, de Graaf, van der Meer, Kok, de Haan, "
               "Vermeulen, Sanders, Jonker, Maas, Koster, Prins, Huisman, Kuipers, Veenstra, Willems, Postma, "
               "van der Linden, Bosman, Hoekstra, Evers, Gerritsen, Verhoeven, Timmermans, Wolters, Roos, Nijhuis, "
               "Lammers, Kramer, Groen, Faber, Ouwerkerk, Zwart, Yilmaz, Kaya, Bouzid, Ait Ali, Uijl, Eskes"),
        second_given_rate=0.25,
    ),
    NameGroup(
        "ro", "latin",
        _t("Maria, Andreea, Ana-Maria, Ioana, Mihaela, Alexandra, Elena, Irina, Alina, Mădălina, Adriana, "
           "Ana, Gabriela, Cristina, Georgiana, Roxana, Florentina, Ramona, Daniela, Ionela, Bianca, Larisa, Denisa, "
           "Loredana, Nicoleta, Oana, Petronela, Raluca, Simona, Teodora, Valentina, Violeta, Corina, Diana, "
           "Emilia, Lavinia, Sorina, Paula, Camelia"),
        _t("Ion, Andrei, Alexandru, Mihai, Ionuț, Marian, Adrian, Constantin, Marius, Florin, Gheorghe, "
           "Ștefan, Vasile, Răzvan, Cătălin, Nicolae, Daniel, Cosmin, Bogdan, Petru, Sorin, Valentin, Liviu, Ovidiu, "
           "Dorin, Emil, Gabriel, Laurențiu, Robert, Sebastian, Tudor, Victor, Cristian, Dumitru, Eugen, Lucian, "
           "Viorel"),
        _pairs("Popescu, Popa, Pop, Ionescu, Mihai, Munteanu, Matei, Marin, Moldovan, Ion, Stan, Stoica, "
               "Dumitru, Constantin, Radu, Dinu, Lungu, Stănescu, Țurcanu, Dumitrașcu, Rusu, Șerban, Neagu, "
               "Barbu, Ciobanu, Mocanu, Tudor, Enache, Vlad, Florea, Gheorghe, Diaconu, Cojocaru, Ursu, Sandu, Nistor, "
               "Oprea, Voicu, Lazăr, Preda, Avram, Badea, Căldăraru, Zamfir, Grigore, Ene, Tănase, Rădulescu, "
               "Iordache, Husar, Kiss, Bălan, Jitaru"),
        second_given_rate=0.12,
    ),
    NameGroup(
        "pl", "latin",
        _t("Anna, Katarzyna, Małgorzata, Agnieszka, Joanna, Magdalena, Monika, Ewa, Aleksandra, Justyna, "
           "Barbara, Beata, Dorota, Karolina, Marta, Natalia, Zofia, Paulina, Renata, Sylwia, Urszula, Wioletta, "
           "Iwona, Halina, Edyta, Grażyna, Lidia, Teresa, Krystyna, Oliwia, Helena, Bożena, Weronika"),
        _t("Piotr, Krzysztof, Tomasz, Łukasz, Paweł, Michał, Marcin, Jakub, Adam, Andrzej, Kamil, Mateusz, "
           "Grzegorz, Dariusz, Marek, Wojciech, Rafał, Robert, Sebastian, Zbigniew, Jerzy, Bartosz, Damian, Henryk, "
           "Stanisław, Tadeusz, Szymon, Dawid, Artur, Ryszard, Janusz, Mirosław, Oskar, Filip"),
        _pairs("Nowak, Kowalski/Kowalska, Wiśniewski/Wiśniewska, Wójcik, Kowalczyk, Kamiński/Kamińska, "
               "Lewandowski/Lewandowska, Zieliński/Zielińska, Szymański/Szymańska, Woźniak, "
               "Dąbrowski/Dąbrowska, Kozłowski/Kozłowska, Jankowski/Jankowska, Mazur, "
               "Kwiatkowski/Kwiatkowska, Krawczyk, Piotrowski/Piotrowska, Grabowski/Grabowska, "
               "Wojciechowski/Wojciechowska, Kaczmarek, Zając, Król, Pawłowski/Pawłowska, Michalski/Michalska, "
               "Nowicki/Nowicka, Adamczyk, Dudek, Wieczorek, Jabłoński/Jabłońska, Majewski/Majewska, "
               "Olszewski/Olszewska, Stępień, Malinowski/Malinowska, Górski/Górska, Rutkowski/Rutkowska, Sikora, "
               "Baran, Urbański/Urbańska, Tomaszewski/Tomaszewska, Chmielewski/Chmielewska, Hajduk, "
               "Czarnecki/Czarnecka, Ostrowski/Ostrowska, Bielecki/Bielecka, Laskowski/Laskowska, "
               "Głowacki/Głowacka, Ejsmont"),
        second_given_rate=0.1,
    ),
    NameGroup(
        "hu", "latin",
        _t("Erzsébet, Katalin, Mária, Éva, Ilona, Anna, Zsuzsanna, Margit, Judit, Andrea, Krisztina, Ágnes, "
           "Viktória, Nikolett, Bernadett, Szilvia, Tímea, Anita, Gabriella, Dóra, Eszter, Hajnalka, Renáta, Mónika, "
           "Orsolya, Rozália, Tünde, Lilla, Beáta, Csilla, Edit, Piroska, Noémi"),
        _t("László, István, József, János, Zoltán, Sándor, Gábor, Ferenc, Attila, Péter, Tamás, Zsolt, "
           "Lajos, Balázs, Csaba, Gyula, Lőrinc, Róbert, Norbert, Krisztián, Dávid, Imre, Mihály, Tibor, Béla, Ottó, "
           "Viktor, Ernő, Vilmos, Kálmán, Miklós, Ádám, Richárd"),
        _pairs("Nagy, Kovács, Tóth, Szabó, Horváth, Varga, Kiss, Molnár, Németh, Farkas, Balogh, Papp, "
               "Lakatos, Takács, Juhász, Oláh, Mészáros, Simon, Rácz, Fekete, Szőke, Győri, Lukács, Fülöp, Bognár, "
               "Pintér, Szilágyi, Vass, Kocsis, Fodor, Pásztor, Major, Orsós, Sárközi, Csonka, Héder, Ambrus, Deák, "
               "Erdős, Gál, Hegedűs, Illés, Jakab, Kun, Mohácsi, Nemes, Rostás, Vida, Zsigmond"),
        second_given_rate=0.08,
        swap_factor=3.0,  # Hungarian order is surname first
    ),
    NameGroup(
        "bg", "cyrillic",
        _t("Мария, Иванка, Елена, Йорданка, Пенка, Цветанка, Даниела, Гергана, Десислава, Петя, Николина, "
           "Христина, Виктория, Силвия, Радка, Жана, Габриела, Анелия, Боряна, Веселина, Галина, Емилия, Зорница, "
           "Калина, Лилия, Марина, Невена, Росица, Светла, Теодора, Ралица, Снежана, Юлия"),
        _t("Георги, Иван, Димитър, Николай, Петър, Христо, Стефан, Йордан, Васил, Тодор, Стоян, Атанас, "
           "Кирил, Красимир, Живко, Цветан, Явор, Ангел, Борислав, Веселин, Даниел, Емил, Здравко, Калоян, Любомир, "
           "Младен, Огнян, Пламен, Радослав, Симеон, Теодор, Филип, Асен, Юлиан, Хасан"),
        _pairs("Иванов/Иванова, Георгиев/Георгиева, Димитров/Димитрова, Петров/Петрова, Николов/Николова, "
               "Христов/Христова, Стоянов/Стоянова, Тодоров/Тодорова, Илиев/Илиева, Василев/Василева, "
               "Атанасов/Атанасова, Петков/Петкова, Ангелов/Ангелова, Колев/Колева, Йорданов/Йорданова, "
               "Маринов/Маринова, Жеков/Жекова, Цветков/Цветкова, Михайлов/Михайлова, Костов/Костова, Попов/Попова, "
               "Янков/Янкова, Русев/Русева, Добрев/Добрева, Бойчев/Бойчева, Кирилов/Кирилова, Лазаров/Лазарова, "
               "Нейков/Нейкова, Османов/Османова, Радев/Радева, Славов/Славова, Асенов/Асенова, Узунов/Узунова, "
               "Григоров/Григорова, Енчев/Енчева, Филипов/Филипова, Чакъров/Чакърова, Шопов/Шопова, "
               "Хасанов/Хасанова, Юруков/Юрукова"),
        second_given_rate=0.03,
    ),
    NameGroup(
        "uk", "cyrillic",
        _t("Юлія, Олена, Оксана, Наталія, Ірина, Тетяна, Галина, Христина, Анастасія, Катерина, Марія, "
           "Вікторія, Світлана, Людмила, Яна, Євгенія, Жанна, Алла, Валентина, Вероніка, Дарина, Діана, Зоряна, "
           "Ольга, Лілія, Надія, Софія, Уляна, Роксолана, Поліна, Аліна, Богдана, Мирослава, Єлизавета"),
        _t("Олександр, Андрій, Сергій, Юрій, Дмитро, Іван, Василь, Микола, Віталій, Євген, Олег, Богдан, "
           "Тарас, Максим, Ігор, Володимир, Григорій, Анатолій, Борис, Валентин, Вадим, Денис, Захар, Кирило, "
           "Леонід, Назар, Остап, Павло, Роман, Степан, Федір, Ярослав, Артем, Владислав, Петро"),
        _pairs("Шевченко, Коваленко, Бондаренко, Ткаченко, Кравченко, Олійник, Шевчук, Поліщук, Мельник, "
               "Бойко, Ковальчук, Лисенко, Гончаренко, Савченко, Руденко, Марченко, Петренко, Хоменко, "
               "Юрченко, Яковенко, Гаврилюк, Іваненко, Ковальов/Ковальова, Мороз, Білоус, Власенко, Григоренко, "
               "Данилюк, Зінченко, Карпенко, Литвиненко, Мартинюк, Науменко, Остапенко, Приходько, Романенко, "
               "Сидоренко, Федоренко, Дячук, Левченко, Кузьменко, Павленко, Гуменюк, Ярошенко, Щербак, Євтушенко"),
        second_given_rate=0.0,
        aliases=_UK_ALIASES,
    ),
    NameGroup(
        "ru", "cyrillic",
        _t("Елена, Ольга, Татьяна, Наталья, Ирина, Светлана, Юлия, Екатерина, Анна, Мария, Анастасия, "
           "Ксения, Дарья, Алина, Евгения"),
        _t("Александр, Сергей, Дмитрий, Андрей, Алексей, Максим, Евгений, Иван, Михаил, Артём, Николай, "
           "Владимир, Юрий, Игорь"),
        _pairs("Иванов/Иванова, Смирнов/Смирнова, Кузнецов/Кузнецова, Попов/Попова, Васильев/Васильева, "
               "Петров/Петрова, Соколов/Соколова, Михайлов/Михайлова, Новиков/Новикова, Фёдоров/Фёдорова, "
               "Морозов/Морозова, Волков/Волкова, Алексеев/Алексеева, Лебедев/Лебедева, Козлов/Козлова, "
               "Жуков/Жукова"),
        second_given_rate=0.0,
    ),
    NameGroup(
        "baltic", "latin",
        _t("Rūta, Jurgita, Inga, Kristina, Laura, Agnė, Ieva, Jolanta, Ilze, Anna, Līga, Inese, Kristīne"),
        _t("Tomas, Mindaugas, Darius, Andrius, Jonas, Marius, Jānis, Andris, Mārtiņš, Edgars, Kęstutis"),
        _pairs("Kazlauskas/Kazlauskienė, Jankauskas/Jankauskienė, Petrauskas/Petrauskienė, "
               "Stankevičius/Stankevičienė, Vasiliauskas/Vasiliauskienė, Bērziņš/Bērziņa, Kalniņš/Kalniņa, "
               "Ozoliņš/Ozoliņa, Jansons/Jansone, Liepiņš/Liepiņa"),
        second_given_rate=0.05,
    ),
    NameGroup(
        "cs", "latin",
        _t("Jana, Mária, Zuzana, Eva, Lenka, Petra, Katarína, Martina, Veronika, Lucie, Simona, Andrea, Monika"),
        _t("Peter, Jan, Martin, Tomáš, Michal, Jozef, Marek, Lukáš, Pavel, Milan, Ján, Róbert"),
        _pairs("Novák/Nováková, Horváth/Horváthová, Kováč/Kováčová, Varga/Vargová, Svoboda/Svobodová, "
               "Dvořák/Dvořáková, Černý/Černá, Tóth/Tóthová, Baláž/Balážová, Procházka/Procházková, "
               "Kučera/Kučerová, Lakatoš/Lakatošová, Oláh/Oláhová"),
        second_given_rate=0.05,
    ),
    NameGroup(
        "sq", "latin",
        _t("Elona, Anjeza, Ardita, Xhuljeta, Klodiana, Jonida, Erjona, Besjana, Mirela, Rezarta, Fatjona"),
        _t("Ermal, Arben, Besnik, Gentian, Artan, Ilir, Klodian, Fatmir, Dritan, Erion, Alban"),
        _pairs("Hoxha, Shehu, Leka, Gjoka, Dervishi, Kola, Çela, Marku, Prifti, Dushku, Mema, Bardhi, "
               "Zeneli, Xhafa, Gjika"),
        second_given_rate=0.03,
    ),
    NameGroup(
        "west_african", "latin",
        _t("Blessing, Joy, Precious, Faith, Gift, Mercy, Esther, Favour, Patience, Happiness, Osas, Ese, "
           "Chioma, Ngozi, Grace, Abena, Akosua, Comfort, Adesuwa, Bisola, Cynthia, Deborah, Eunice, Florence, Hope, "
           "Ifeoma, Janet, Kate, Lucy, Mary, Nkechi, Omosede, Peace, Rita, Sandra, Tina, Victoria, Yetunde"),
        _t("Emmanuel, Godwin, Samuel, Osagie, Chinedu, Ikechukwu, Sunday, Friday, Daniel, John, Kwame, Kofi, "
           "Ibrahim, Musa, Felix, Prince, Abdul, Bright, Collins, David, Efosa, Festus, George, Henry, Innocent, "
           "James, Kelvin, Lucky, Michael, Nosa, Patrick, Richard, Stanley, Tunde, Victor, Yusuf"),
        _pairs("Osagie, Igbinedion, Okafor, Eze, Omoregie, Okoro, Obi, Edosa, Idahosa, Osaro, Aigbe, "
               "Ehigiator, Uwadia, Adeyemi, Okonkwo, Nwachukwu, Bello, Mensah, Owusu, Asante, Boateng, "
               "Kamara, Koroma, Okello, Mbah, Abubakar, Akpan, Bassey, Danjuma, Ekpo, Ibe, Johnson, Kalu, Lawal, Musa, "
               "Nnamdi, Peters, Quaye, Sesay, Tetteh, Umeh, Williams, Yeboah, Adjei, Agyeman, Bangura, Conteh, "
               "Dumbuya, Fofanah, Ikpe, Garba, Wilson"),
        second_given_rate=0.08,
        swap_factor=2.0,
    ),
    NameGroup(
        "guinean", "latin",
        _t("Aminata, Fatoumata, Mariama, Kadiatou, Aissatou, Hawa, Fanta, Djenabou, Mariam, Oumou"),
        _t("Mamadou, Ibrahima, Alpha, Ousmane, Abdoulaye, Sekou, Moussa, Boubacar, Amadou, Lamine"),
        _pairs("Diallo, Bah, Barry, Sow, Camara, Condé, Touré, Keita, Baldé, Sylla, Kouyaté, Cissé, Soumah"),
        second_given_rate=0.05,
        swap_factor=2.0,
    ),
    NameGroup(
        "tigrinya", "latin",
        _t("Semhar, Helen, Saba, Yordanos, Selam, Luwam, Senait, Merhawit, Feven, Winta, Rahel"),
        _t("Yonas, Tesfay, Filmon, Mehari, Samuel, Dawit, Habtom, Kibrom, Robel, Biniam, Yohannes"),
        _pairs("Tekle, Haile, Berhe, Ghebremedhin, Tesfamariam, Kidane, Woldu, Gebremichael, Habte, Mehari, "
               "Tewelde, Asmerom, Yemane"),
        second_given_rate=0.0,
        swap_factor=2.0,  # given name + father's name: order often confused
    ),
    NameGroup(
        "arabic", "latin",
        _t("Fatima, Khadija, Aicha, Nadia, Samira, Amina, Malika, Hanane, Noor, Rania, Yasmin, Salma, Layla, "
           "Souad"),
        _t("Mohamed, Ahmed, Youssef, Omar, Mustafa, Khalid, Rachid, Hassan, Said, Abdelkader, Karim, Bilal, Ali"),
        _pairs("El Amrani, Benali, Bouzid, El Idrissi, Ouali, Haddad, Al-Hassan, Khalil, Mansour, Saleh, "
               "Darwish, Hamdan, Ait Ali, Ziani"),
        second_given_rate=0.05,
        swap_factor=1.5,
    ),
    NameGroup(
        "dari", "latin",
        _t("Zahra, Maryam, Fatima, Masooma, Farzana, Shabnam, Nilofar, Parwana, Zainab, Sima"),
        _t("Mohammad, Ahmad, Ali, Mustafa, Hamid, Jawad, Reza, Naser, Sayed, Rahim, Farid, Hussain"),
        _pairs("Ahmadi, Hosseini, Mohammadi, Rahimi, Karimi, Sultani, Haidari, Noori, Sharifi, Rezaei, "
               "Jafari, Amiri, Azizi, Sadat"),
        second_given_rate=0.03,
        swap_factor=1.5,
    ),
    NameGroup(
        "zh", "latin",
        _t("Xiuying, Li, Jing, Min, Yan, Fang, Hua, Mei, Lan, Hong, Juan, Xiaoyan, Ying"),
        _t("Wei, Jun, Qiang, Lei, Yong, Jie, Tao, Ming, Hao, Chao, Bo, Gang"),
        _pairs("Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Lin, Zhu, He"),
        second_given_rate=0.0,
        swap_factor=8.0,  # surname first
    ),
    NameGroup(
        "vi", "latin",
        _t("Thị Lan, Thị Hương, Thị Mai, Thị Hoa, Thị Hằng, Thị Thu, Thị Ngọc, Thị Linh, Thị Trang, Thị Hạnh"),
        _t("Văn Minh, Văn Hùng, Văn Dũng, Văn Tuấn, Văn Nam, Văn Hải, Văn Long, Đức Anh, Quang Huy, Văn Thành"),
        _pairs("Nguyễn, Trần, Lê, Phạm, Hoàng, Huỳnh, Phan, Vũ, Võ, Đặng, Bùi, Đỗ, Hồ, Ngô, Dương"),
        second_given_rate=0.0,
        swap_factor=8.0,  # surname first
    ),
    NameGroup(
        "hi", "latin",
        _t("Priya, Pooja, Anjali, Sunita, Neha, Kavita, Deepa, Lakshmi, Rekha, Asha, Manpreet"),
        _t("Rahul, Amit, Rajesh, Sanjay, Vijay, Suresh, Arjun, Manoj, Gurpreet, Harpreet, Ravi, Anil"),
        _pairs("Kumar, Singh, Sharma, Patel, Devi, Kaur, Gupta, Reddy, Yadav, Das, Nair, Shah, Verma"),
        second_given_rate=0.03,
    ),
    NameGroup(
        "fil", "latin",
        _t("Maria, Jocelyn, Marites, Rowena, Maricel, Jennifer, Lorna, Analyn, Rosalie, Cristina, Lovely, Jasmine"),
        _t("Jose, Juan, Mark, Ramon, Rodel, Jomar, Reynaldo, Jerome, Christian, Ronaldo, Joel"),
        _pairs("Dela Cruz, Santos, Reyes, Garcia, Bautista, Ocampo, Mendoza, Torres, Tomas, Aquino, Ramos, "
               "Villanueva, Castillo, Flores, Navarro"),
        second_given_rate=0.2,
    ),
    NameGroup(
        "th", "latin",
        _t("Siriporn, Somsri, Malee, Ratana, Kanya, Pornthip, Sunisa, Wanida, Arunee, Nittaya, Jintana"),
        _t("Somchai, Somsak, Sombat, Prasert, Anan, Wichai, Chaiwat, Narong, Surachai, Kittisak"),
        _pairs("Saetang, Srisuk, Wongsa, Chaiyaporn, Boonmee, Sukjai, Thongdee, Kaewkla, Phromma, "
               "Rattanakorn, Intharat, Saelim"),
        second_given_rate=0.0,
    ),
    NameGroup(
        "pt", "latin",
        _t("Maria, Ana, Francisca, Juliana, Márcia, Fernanda, Adriana, Patrícia, Aline, Camila, Letícia, Bruna, "
           "Jéssica"),
        _t("José, João, Antônio, Francisco, Carlos, Paulo, Pedro, Lucas, Luiz, Marcos, Rafael, Thiago"),
        _pairs("Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, Costa, "
               "Ribeiro, Martins, Carvalho, Gonçalves, Araújo"),
        second_given_rate=0.3,
    ),
    NameGroup(
        "es", "latin",
        _t("María, Luz, Carmen, Ana, Yolanda, Sandra, Paola, Daniela, Valentina, Yésica, Leidy, Marisol, "
           "Yuliana, Karina"),
        _t("José, Juan, Luis, Carlos, Jorge, Andrés, Miguel, Jhon, Diego, Julio, Ángel, Wilmer, Yeison"),
        _pairs("Rodríguez, García, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, Gómez, Díaz, "
               "Torres, Peña, Castillo, Jiménez, Muñoz, Rojas"),
        second_given_rate=0.3,
    ),
    NameGroup(
        "sur", "latin",
        _t("Sharmila, Anjali, Shanti, Priscilla, Gracia, Sherida, Natasha, Romy, Denise, Chantal, Roshni, Sabitri"),
        _t("Ravi, Ashwin, Rishi, Romano, Jerrel, Dwight, Marciano, Glenn, Ricardo, Sunil, Anand"),
        _pairs("Ramdin, Jagessar, Ramlal, Mahabier, Sewdien, Kromodimedjo, Pinas, Linger, Wijngaarde, "
               "Ramsaran, Soekhoe, Karijopawiro, Doekhie, Sabajo"),
        second_given_rate=0.1,
    ),
    NameGroup(
        "en", "latin",
        _t("Jessica, Ashley, Sarah, Emily, Jennifer, Amanda, Olivia, Chloe, Emma, Hannah, Megan"),
        _t("Michael, James, John, David, Robert, Matthew, Daniel, Ryan, Joshua, Andrew, Chris"),
        _pairs("Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Taylor, Anderson, Thomas, "
               "Martin, White, Thompson"),
        second_given_rate=0.2,
    ),
)
GROUP_CODES: tuple[str, ...] = tuple(g.code for g in GROUPS)
GROUP_INDEX: Mapping[str, int] = {c: i for i, c in enumerate(GROUP_CODES)}

# ---------------------------------------------------------------------------------------------
# Transliteration of Cyrillic names
# ---------------------------------------------------------------------------------------------

_BASE: dict[str, str | tuple[str, str]] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "yo", "є": "ye", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "'": "", "ʼ": "", "’": "",
}
# Overrides per (scheme, language); a tuple is (word-initial form, elsewhere form).
_SCHEMES: dict[tuple[str, str], dict[str, str | tuple[str, str]]] = {
    ("passport", "uk"): {"г": "h", "и": "y", "є": ("ye", "ie"), "ї": ("yi", "i"), "й": ("y", "i"),
                         "ю": ("yu", "iu"), "я": ("ya", "ia")},
    ("passport", "ru"): {"ё": "e", "й": "i", "ю": "iu", "я": "ia", "ъ": "ie"},
    ("passport", "bg"): {"х": "h", "щ": "sht", "ъ": "a", "ь": "y"},
    ("dutch", "*"): {"ж": "zj", "х": "ch", "ч": "tsj", "ш": "sj", "щ": "sjtsj", "у": "oe", "ю": "joe",
                     "я": "ja", "й": "j", "ё": "jo", "є": "je", "ї": "ji"},
    ("dutch", "uk"): {"г": "h", "и": "y"},
    ("dutch", "bg"): {"ъ": "a", "щ": "sjt"},
    ("german", "*"): {"в": "w", "ж": "sch", "з": "s", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch",
                      "щ": "schtsch", "ю": "ju", "я": "ja", "й": "j", "ё": "jo", "є": "je", "ї": "ji"},
    ("german", "uk"): {"г": "h"},
    ("german", "bg"): {"ъ": "a", "щ": "scht"},
    ("scholarly", "*"): {"ж": "ž", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "ю": "ju", "я": "ja",
                         "й": "j", "ё": "ë", "є": "je", "ї": "ji"},
    ("scholarly", "uk"): {"г": "h", "и": "y"},
    ("scholarly", "bg"): {"ъ": "ă", "щ": "št"},
    ("russian", "*"): {"е": ("ye", "e")},
    ("russian", "bg"): {"ъ": "a", "щ": "sht"},
}
_VOWELS = set("аеёиоуыэюяіїєaeiouy")


@lru_cache(maxsize=64)
def _scheme_map(scheme: str, lang: str) -> dict[str, str | tuple[str, str]]:
    m = dict(_BASE)
    m.update(_SCHEMES.get((scheme, "*"), {}))
    m.update(_SCHEMES.get((scheme, lang), {}))
    return m


def transliterate(text: str, scheme: str, lang: str) -> str:
    """Romanise Cyrillic ``text`` under ``scheme`` for language ``lang`` ("uk", "ru", "bg")."""
    m = _scheme_map(scheme, lang)
    low = text.lower()
    out: list[str] = []
    for i, ch in enumerate(low):
        prev = low[i - 1] if i > 0 else " "
        initial = prev in " -"
        rep = m.get(ch, ch)
        if isinstance(rep, tuple):
            if scheme == "russian":  # BGN/PCGN: ye at word start and after a vowel or sign
                rep = rep[0] if (initial or prev in _VOWELS or prev in "ъь") else rep[1]
            else:
                rep = rep[0] if initial else rep[1]
        if text[i].isupper() and rep:
            rep = rep[0].upper() + rep[1:]
        out.append(rep)
    result = "".join(out)
    if scheme == "passport" and lang == "bg":  # Streamlined System: final -ия is -ia
        result = " ".join(w[:-3] + "ia" if w.endswith("iya") else w for w in result.split(" "))
    return result


_ASCII_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "ø": "o", "Ø": "O", "ı": "i"})


def strip_diacritics(text: str) -> str:
    """Drop diacritics (ş -> s, ő -> o, ł -> l), as a keyboard without them would."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_ALT_DIACRITICS = str.maketrans({
    "\u0219": "\u015f", "\u0218": "\u015e", "\u021b": "\u0163", "\u021a": "\u0162",  # ș ț -> ş ţ
    "ő": "ö", "Ő": "Ö", "ű": "ü", "Ű": "Ü",
})


def name_variants(name: str, group: NameGroup) -> list[str]:
    """The :data:`N_VARIANTS` spellings of ``name`` (column order of :data:`VARIANTS`)."""
    if group.script == "cyrillic":
        canon = transliterate(name, "passport", group.code)
        russian_form = group.aliases.get(name, name)
        return [
            canon,
            strip_diacritics(canon),
            canon,
            transliterate(name, "dutch", group.code),
            transliterate(name, "german", group.code),
            transliterate(name, "scholarly", group.code),
            transliterate(russian_form, "russian", group.code),
            name,
        ]
    alt = name.translate(_ALT_DIACRITICS)
    return [name, strip_diacritics(name), alt, name, name, name, name, name]


_PREFIX_WORDS = frozenset({"van", "de", "der", "den", "het", "te", "ten", "ter", "'t", "el", "al", "la", "le", "da",
                           "dos", "del", "von"})
_ATTACHED_ARTICLE = re.compile(r"^(?:al|el)-(?=\w)", re.IGNORECASE)


def main_initial(name: str) -> str:
    """The initial a reporter writes for a surname: prefixes skipped, as Dutch sorting does.

    ``van der Meer`` -> ``M``, ``El Amrani`` -> ``A``, ``Al-Hassan`` -> ``H``; the same
    convention as :mod:`linkage.normalise` (a name that is only prefixes keeps its first letter).
    """
    words = name.split()
    i = 0
    while i < len(words) - 1 and words[i].lower() in _PREFIX_WORDS:
        i += 1
    word = _ATTACHED_ARTICLE.sub("", words[i]) if words else name
    return word[:1].upper()


@dataclass(frozen=True)
class NameTables:
    """All names of all groups as flat arrays (rows: names, columns: variants)."""

    given: npt.NDArray[np.object_]  # (n_given, N_VARIANTS) spellings
    given_initial: npt.NDArray[np.object_]  # (n_given, N_VARIANTS) one-letter strings
    surname: npt.NDArray[np.object_]  # (n_surname, N_VARIANTS)
    surname_initial: npt.NDArray[np.object_]
    # per group: given-name row indices and probabilities by sex (0 male, 1 female)
    given_rows: tuple[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]], ...]
    given_probs: tuple[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]], ...]
    # per group: surname rows for male and female forms (same length, same rank order) and probs
    surname_rows: tuple[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]], ...]
    surname_probs: tuple[npt.NDArray[np.float64], ...]
    script_cyrillic: npt.NDArray[np.bool_]  # per group
    second_given_rate: npt.NDArray[np.float64]  # per group
    swap_factor: npt.NDArray[np.float64]  # per group


def _zipf(n: int) -> npt.NDArray[np.float64]:
    w = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** ZIPF_EXPONENT
    return np.asarray(w / w.sum(), dtype=np.float64)


@lru_cache(maxsize=1)
def name_tables() -> NameTables:
    """Build (once) the flat name tables for all groups."""
    given: list[list[str]] = []
    surname: list[list[str]] = []
    given_rows = []
    given_probs = []
    surname_rows = []
    surname_probs = []
    for group in GROUPS:
        rows_by_sex = []
        for names in (group.male, group.female):
            start = len(given)
            given.extend(name_variants(n, group) for n in names)
            rows_by_sex.append(np.arange(start, len(given), dtype=np.int64))
        given_rows.append((rows_by_sex[0], rows_by_sex[1]))
        given_probs.append((_zipf(len(group.male)), _zipf(len(group.female))))
        male_rows: list[int] = []
        female_rows: list[int] = []
        for s in group.surnames:
            if isinstance(s, tuple):
                surname.append(name_variants(s[0], group))
                male_rows.append(len(surname) - 1)
                surname.append(name_variants(s[1], group))
                female_rows.append(len(surname) - 1)
            else:
                surname.append(name_variants(s, group))
                male_rows.append(len(surname) - 1)
                female_rows.append(len(surname) - 1)
        surname_rows.append((np.asarray(male_rows, dtype=np.int64), np.asarray(female_rows, dtype=np.int64)))
        surname_probs.append(_zipf(len(group.surnames)))

    def to_array(rows: Sequence[Sequence[str]]) -> npt.NDArray[np.object_]:
        arr = np.empty((len(rows), N_VARIANTS), dtype=object)
        for i, r in enumerate(rows):
            arr[i, :] = r
        return arr

    given_arr = to_array(given)
    surname_arr = to_array(surname)
    g_init = np.vectorize(lambda x: x[0].upper(), otypes=[object])(given_arr)
    s_init = np.vectorize(lambda x: main_initial(x).upper(), otypes=[object])(surname_arr)
    return NameTables(
        given=given_arr,
        given_initial=g_init,
        surname=surname_arr,
        surname_initial=s_init,
        given_rows=tuple(given_rows),
        given_probs=tuple(given_probs),
        surname_rows=tuple(surname_rows),
        surname_probs=tuple(surname_probs),
        script_cyrillic=np.array([gr.script == "cyrillic" for gr in GROUPS]),
        second_given_rate=np.array([gr.second_given_rate for gr in GROUPS]),
        swap_factor=np.array([gr.swap_factor for gr in GROUPS]),
    )
