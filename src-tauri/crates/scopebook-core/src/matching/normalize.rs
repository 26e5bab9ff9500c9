//! The keys two records are compared by: a name without case, punctuation or legal suffix, an
//! email as typed anywhere, a phone or tax number as digits.

/// Words a company name may end with that say nothing about which company it is ("Acme Pty Ltd"
/// is "Acme"). Only stripped from the end of a name, so "Limited Editions" keeps its first word.
const LEGAL_SUFFIXES: [&str; 16] = [
    "pty",
    "ltd",
    "limited",
    "proprietary",
    "llc",
    "inc",
    "incorporated",
    "plc",
    "gmbh",
    "co",
    "company",
    "corp",
    "corporation",
    // "Acme (NZ) Limited", "Acme AU Pty Ltd": the country in a name is part of the legal form.
    "nz",
    "au",
    "aust",
];

/// A name lowercased with its whitespace collapsed: "  ACME  Pty Ltd " is "acme pty ltd".
pub fn name_lowercase(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of a name without case or punctuation, "&" read as "and", "P/L" as "Pty Ltd".
fn name_words(name: &str) -> Vec<String> {
    name.to_lowercase()
        .replace("p/l", " pty ltd ")
        .replace('&', " and ")
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The parts of a name: whether it starts with "The", its words, and the legal suffix words
/// it ends with.
pub(crate) struct NameParts {
    pub the: bool,
    pub core: Vec<String>,
    pub suffix: Vec<String>,
}

pub(crate) fn name_parts(name: &str) -> NameParts {
    let mut words = name_words(name);
    let the = words.len() > 1 && words[0] == "the";
    if the {
        words.remove(0);
    }
    let mut suffix = Vec::new();
    // Keep at least one word: a company called "Limited" is still called something.
    while words.len() > 1 {
        let last = words.last().map(String::as_str).unwrap_or("");
        let trailing_and = last == "and" && !suffix.is_empty();
        if !LEGAL_SUFFIXES.contains(&last) && !trailing_and {
            break;
        }
        if let Some(word) = words.pop() {
            suffix.insert(0, word);
        }
    }
    NameParts {
        the,
        core: words,
        suffix,
    }
}

/// A name without case, punctuation, legal suffix or a leading "The": "ACME Plumbing Pty. Ltd."
/// and "The Acme Plumbing" both become "acme plumbing". What a bookkeeper would call the same name.
pub fn normalized_name(name: &str) -> String {
    name_parts(name).core.join(" ")
}

/// [`normalized_name`] without spaces, so "O'Brien" and "OBrien" meet: the key names are
/// indexed by. Empty when the name has no letters or digits.
pub fn name_key(name: &str) -> String {
    name_parts(name).core.concat()
}

/// A name's words without punctuation but with its legal suffix and "The", without spaces.
pub(crate) fn name_punctuation_key(name: &str) -> String {
    name_words(name).concat()
}

/// An email address trimmed and lowercased; empty when there is none.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The digits of a tax number ("51 824 753 556" is "51824753556").
pub fn tax_key(tax_number: &str) -> String {
    digits(tax_number)
}

/// An account number without case, spaces or punctuation ("ACME-01" is "acme01").
pub fn account_key(account_number: &str) -> String {
    account_number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A ContactNumber trimmed and lowercased.
pub fn contact_number_key(number: &str) -> String {
    number.trim().to_lowercase()
}

/// A phone number as its national digits: "+61 2 9123 4567", "(02) 9123 4567" and
/// "61291234567" all become "291234567". Australian (61) and New Zealand (64) country codes and
/// the trunk 0 are dropped. Empty for fewer than six digits (an extension is not a phone number).
pub fn phone_key(phone: &str) -> String {
    let all = digits(phone);
    let national = match all.strip_prefix("61").or_else(|| all.strip_prefix("64")) {
        // Ten or more digits starting 61/64 is a number with its country code; shorter is local.
        Some(rest) if all.len() >= 10 => rest,
        _ => all.as_str(),
    };
    let national = national.trim_start_matches('0');
    if national.len() < 6 {
        String::new()
    } else {
        national.to_string()
    }
}

/// A postcode without spaces, uppercased ("sw1a 1aa" is "SW1A1AA").
pub fn postcode_key(postcode: &str) -> String {
    postcode
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// How close two names are, from the same name to different ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameMatch {
    /// Different names.
    Different,
    /// The same once legal suffixes ("Pty Ltd", "Limited") and a leading "The" are left out.
    LegalForm { suffix: bool, the: bool },
    /// The same but for punctuation, spacing and "&"/"and".
    Punctuation,
    /// The same but for case.
    Case,
    /// The same, letter for letter (whitespace aside).
    Same,
}

impl NameMatch {
    /// How this closeness reads to a bookkeeper, about `what` ("name", "legal name").
    pub fn describe(self, what: &str) -> String {
        match self {
            NameMatch::Same => format!("same {what}"),
            NameMatch::Case => format!("{what} differs only in upper/lower case"),
            NameMatch::Punctuation => format!("{what} differs only in punctuation"),
            NameMatch::LegalForm { suffix, the } => {
                let parts = match (suffix, the) {
                    (true, true) => {
                        "legal suffix (such as Pty Ltd) and a leading \u{201c}The\u{201d}"
                    }
                    (false, true) => "a leading \u{201c}The\u{201d}",
                    _ => "legal suffix (such as Pty Ltd or Limited)",
                };
                format!("{what} differs only in {parts}")
            }
            NameMatch::Different => format!("{what} is different"),
        }
    }
}

/// How close two names are (see [`NameMatch`]).
pub fn compare_names(a: &str, b: &str) -> NameMatch {
    let (la, lb) = (name_lowercase(a), name_lowercase(b));
    if la.is_empty() || lb.is_empty() {
        return NameMatch::Different;
    }
    if la == lb {
        let same = a.split_whitespace().eq(b.split_whitespace());
        return if same {
            NameMatch::Same
        } else {
            NameMatch::Case
        };
    }
    if name_punctuation_key(a) == name_punctuation_key(b) {
        return NameMatch::Punctuation;
    }
    let (pa, pb) = (name_parts(a), name_parts(b));
    if !pa.core.is_empty() && pa.core.concat() == pb.core.concat() {
        return NameMatch::LegalForm {
            suffix: pa.suffix.concat() != pb.suffix.concat(),
            the: pa.the != pb.the,
        };
    }
    NameMatch::Different
}
