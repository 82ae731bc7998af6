"""Person-level column names in French, more English ones, and both written without spaces.

Used by :func:`etl.profiles.is_person_column` on a name already normalised by
:func:`etl.profiles.normalise_column_name` (accents removed, camelCase split, lower case, punctuation to spaces):
'Téléphone' -> 'telephone', 'Date de naissance' -> 'date de naissance', 'HealthCardNo' -> 'health card no'.

French puts the noun first ('Nom du client', 'Adresse postale'), so 'nom' and 'adresse' count alone or with a word
saying whose they are; 'Nom du site' and 'Adresse du site' name places, not people.
"""

from __future__ import annotations

FR_COLUMNS = {"nom", "adresse", "nas", "domicile", "mail"}
WORDS = {"prenom", "prenoms", "courriel", "tel", "telephone", "cellulaire", "nam", "ramq", "naissance", "ddn",
            "ohip", "initiales", "initials", "cell", "zip", "postcode"}
FR_FIRST = {"nom", "adresse", "numero", "no"}
FR_OWNERS = {"client", "cliente", "clients", "patient", "patiente", "participant", "participante", "personne",
             "usager", "usagere", "famille", "domicile", "complet", "beneficiaire", "postale", "civique",
             "electronique", "courriel", "residence", "telephone", "tel", "cellulaire", "naissance"}
# phrases, compared with spaces removed so 'DateOfBirth', 'datedenaissance' and 'Health-Card No' all match
PHRASES = ("date de naissance", "code postal", "assurance maladie", "carte soleil", "assurance sociale",
           "nom de famille", "date of birth", "birth date", "health card", "health number", "health insurance",
           "postal code", "zip code", "phone number", "email address", "e mail", "first name", "last name",
           "full name", "given name", "social insurance", "cell phone", "mobile number", "personal health")
_JOINED = tuple(p.replace(" ", "") for p in PHRASES)


def is_person_name(norm: str) -> bool:
    """True for a normalised column name that names a person-level identifier in French, or in English run together."""
    if norm in FR_COLUMNS:
        return True
    words = norm.split()
    if set(words) & WORDS:
        return True
    if words and words[0] in FR_FIRST and any(w in FR_OWNERS for w in words[1:]):
        return True
    joined = norm.replace(" ", "")
    return any(p in joined for p in _JOINED)
