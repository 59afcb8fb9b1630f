//! The hunt registry: what every hunt model provides ([`HuntModel`]), and the one list of
//! hunts at the end of this file, from which `hunts!` makes [`HuntKind`], [`Hunt`] and the
//! code that dispatches on them. A new hunt is its model, render module, template, profile
//! and replay scenarios, plus its line in that list.

use std::fmt;
use std::str::FromStr;

use kqlsmith_lint::Platform;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    Device, HuntName, InternalConnections, InternalConnectionsDetection, Metadata, RemoteLogons,
};
use crate::render::RenderError;

/// What a hunt's model tells the code that handles hunts of any kind. Each hunt implements it
/// in its model module; its profile section is read by the model's `Deserialize`.
pub trait HuntModel: DeserializeOwned + Into<Hunt> {
    /// The value written in `hunt.kind`: `internal-connections`. The shipped profile of that
    /// name lists every key of the hunt, the keys `--set` accepts.
    const KIND: &'static str;

    /// The `[hunt]` table: name, kind, title and rule metadata.
    fn metadata(&self) -> &Metadata;

    /// The device under investigation; `None` for a hunt over every device (a detection).
    fn device(&self) -> Option<&Device>;

    /// How far back the query reads data, in milliseconds: its window, and the baseline and
    /// the extra lookbacks where it has them.
    fn reads(&self) -> u64;

    /// The names of the query's result columns, in order, for a platform whose time column
    /// is `time_column`.
    fn result_columns(&self, time_column: &str) -> Vec<String>;

    /// The query as the hunt's template prints it for `platform`, before
    /// [`render`](crate::render::render) lays it out and parses it.
    fn query_text(&self, platform: &Platform) -> Result<String, RenderError>;
}

/// Code that works on one hunt kind's model type, reached from its [`HuntKind`] by
/// [`HuntKind::visit`]: reading a profile of that kind, for one.
pub trait KindVisitor {
    /// What the visit returns.
    type Output;
    /// Runs on the model type `H` of the visited kind.
    fn visit<H: HuntModel>(self) -> Self::Output;
}

/// Makes [`HuntKind`], [`Hunt`], their dispatch and a `From` per model from the list of
/// hunt model types (each implements [`HuntModel`]), in the order of [`HuntKind::ALL`].
macro_rules! hunts {
    ($($model:ident),+ $(,)?) => {
        /// The hunts kqlsmith knows; a profile names one in `hunt.kind`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum HuntKind {
            $(
                #[doc = concat!("The [`", stringify!($model), "`] hunt.")]
                $model,
            )+
        }

        impl HuntKind {
            /// Every hunt, in a stable order.
            pub const ALL: [HuntKind; [$(stringify!($model)),+].len()] = [$(HuntKind::$model),+];

            /// The value written in `hunt.kind`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(HuntKind::$model => <$model as HuntModel>::KIND,)+
                }
            }

            /// Runs `visitor` on this kind's model type.
            pub fn visit<V: KindVisitor>(self, visitor: V) -> V::Output {
                match self {
                    $(HuntKind::$model => visitor.visit::<$model>(),)+
                }
            }
        }

        /// A hunt of any kind, as loaded from a profile.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Hunt {
            $(
                #[doc = concat!("The [`", stringify!($model), "`] hunt.")]
                $model($model),
            )+
        }

        impl Hunt {
            /// Which hunt this is.
            pub fn kind(&self) -> HuntKind {
                match self {
                    $(Hunt::$model(_) => HuntKind::$model,)+
                }
            }

            /// The `[hunt]` table: name, kind, title and rule metadata.
            pub fn metadata(&self) -> &Metadata {
                match self {
                    $(Hunt::$model(hunt) => hunt.metadata(),)+
                }
            }

            /// The device under investigation; `None` for a hunt over every device (a
            /// detection).
            pub fn device(&self) -> Option<&Device> {
                match self {
                    $(Hunt::$model(hunt) => hunt.device(),)+
                }
            }

            /// How far back the query reads data, in milliseconds: its window, and the
            /// baseline and the extra `DeviceNetworkInfo` lookback where it has them.
            pub fn reads(&self) -> u64 {
                match self {
                    $(Hunt::$model(hunt) => hunt.reads(),)+
                }
            }

            /// The names of the query's result columns, in order, for a platform whose time
            /// column is `time_column`.
            pub fn result_columns(&self, time_column: &str) -> Vec<String> {
                match self {
                    $(Hunt::$model(hunt) => hunt.result_columns(time_column),)+
                }
            }

            /// The query as the hunt's template prints it for `platform`.
            pub(crate) fn query_text(&self, platform: &Platform) -> Result<String, RenderError> {
                match self {
                    $(Hunt::$model(hunt) => hunt.query_text(platform),)+
                }
            }
        }

        $(
            impl From<$model> for Hunt {
                fn from(hunt: $model) -> Hunt {
                    Hunt::$model(hunt)
                }
            }
        )+
    };
}

impl Hunt {
    /// The hunt's short name, used in file names: `internal-connections`.
    pub fn name(&self) -> &HuntName {
        &self.metadata().name
    }
}

impl fmt::Display for HuntKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HuntKind {
    type Err = String;

    fn from_str(text: &str) -> Result<HuntKind, String> {
        HuntKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| {
                let known: Vec<&str> = HuntKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "unknown hunt kind `{text}`, expected one of {}",
                    known.join(", ")
                )
            })
    }
}

impl Serialize for HuntKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for HuntKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<HuntKind, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

// The hunts, one line each.
hunts! {
    InternalConnections,
    RemoteLogons,
    InternalConnectionsDetection,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunt_kinds_read_their_names() {
        for kind in HuntKind::ALL {
            assert_eq!(kind.as_str().parse::<HuntKind>(), Ok(kind));
        }
        let err = "lateral".parse::<HuntKind>().unwrap_err();
        assert!(err.contains("internal-connections, remote-logons"), "{err}");
    }

    #[test]
    fn hunt_kinds_are_written_as_their_names() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct Table {
            kind: HuntKind,
        }
        for kind in HuntKind::ALL {
            let text = toml::to_string(&Table { kind }).unwrap();
            assert_eq!(text.trim(), format!("kind = \"{}\"", kind.as_str()));
            assert_eq!(toml::from_str::<Table>(&text).unwrap(), Table { kind });
        }
        let err = toml::from_str::<Table>("kind = \"lateral\"").unwrap_err();
        assert!(
            err.message().contains("unknown hunt kind `lateral`"),
            "{err}"
        );
    }

    #[test]
    fn every_kind_reads_its_reference_profile_into_its_model() {
        for kind in HuntKind::ALL {
            let text = crate::profile::reference_profile(kind);
            let hunt = crate::profile::load(text, kind.as_str(), &[]).unwrap();
            assert_eq!(hunt.kind(), kind);
            assert_eq!(hunt.metadata().kind, kind);
        }
    }
}
