//! Platform selection: `os/arch[/variant]`, default `linux/amd64`.

use std::str::FromStr;

use oci_spec::image::Platform;

/// A requested platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformSpec {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl Default for PlatformSpec {
    fn default() -> Self {
        PlatformSpec {
            os: "linux".into(),
            arch: "amd64".into(),
            variant: None,
        }
    }
}

impl FromStr for PlatformSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(PlatformSpec {
                os: os.to_string(),
                arch: arch.to_string(),
                variant: None,
            }),
            [os, arch, v] if !os.is_empty() && !arch.is_empty() && !v.is_empty() => {
                Ok(PlatformSpec {
                    os: os.to_string(),
                    arch: arch.to_string(),
                    variant: Some(v.to_string()),
                })
            }
            _ => Err(format!(
                "platform {s:?} is not os/arch[/variant] (e.g. linux/arm64/v8)"
            )),
        }
    }
}

impl PlatformSpec {
    /// Does a descriptor's platform satisfy this request?
    pub fn matches(&self, p: &Platform) -> bool {
        if p.os().to_string() != self.os || p.architecture().to_string() != self.arch {
            return false;
        }
        match (&self.variant, p.variant()) {
            (None, _) => true,
            (Some(want), Some(have)) => want == have,
            // arm64 without a variant is v8.
            (Some(want), None) => self.arch == "arm64" && want == "v8",
        }
    }

    /// `os/arch[/variant]` of a descriptor's platform.
    pub fn describe(p: &Platform) -> String {
        match p.variant() {
            Some(v) => format!("{}/{}/{v}", p.os(), p.architecture()),
            None => format!("{}/{}", p.os(), p.architecture()),
        }
    }

    /// `os/arch[/variant]` of this request.
    pub fn describe_spec(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{}/{v}", self.os, self.arch),
            None => format!("{}/{}", self.os, self.arch),
        }
    }
}
