//! What a device told about itself during the checks.

use std::collections::BTreeMap;

/// Facts a device tells about itself to a read-only query of the assessment (ONVIF
/// `GetDeviceInformation` and `GetNetworkInterfaces`, answered without WS-Security or with the
/// default credential the checks found). Many cameras show their firmware, serial number and
/// MAC address only to a logged-in user; knowing them makes the outdated-firmware and CVE
/// checks and the inventory matching work on those cameras too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceFacts {
    pub model: Option<String>,
    pub firmware: Option<String>,
    pub serial: Option<String>,
    /// Lower-case `aa:bb:cc:dd:ee:ff`, whatever form the device wrote it in.
    pub mac: Option<String>,
    /// How each fact was read, by field name (`"firmware"` → `"ONVIF GetDeviceInformation
    /// with the credential found"`).
    pub read_by: BTreeMap<&'static str, String>,
}

impl DeviceFacts {
    pub(crate) fn is_empty(&self) -> bool {
        self.model.is_none()
            && self.firmware.is_none()
            && self.serial.is_none()
            && self.mac.is_none()
    }

    fn fields_mut(&mut self) -> [(&'static str, &mut Option<String>); 4] {
        [
            ("model", &mut self.model),
            ("firmware", &mut self.firmware),
            ("serial", &mut self.serial),
            ("mac", &mut self.mac),
        ]
    }

    /// Record `how` every fact present was read (blank values are dropped).
    pub(crate) fn read_by(mut self, how: &str) -> Self {
        let mut names = Vec::new();
        for (name, v) in self.fields_mut() {
            *v = v
                .take()
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty());
            if v.is_some() {
                names.push(name);
            }
        }
        for name in names {
            self.read_by.insert(name, how.to_string());
        }
        self
    }

    /// Keep the first value of each fact (and how it was read); later reads do not overwrite it.
    pub(crate) fn merge(&mut self, mut other: DeviceFacts) {
        let mut taken = Vec::new();
        for ((name, a), (_, b)) in self.fields_mut().into_iter().zip(other.fields_mut()) {
            if a.is_none() && b.is_some() {
                *a = b.take();
                taken.push(name);
            }
        }
        for name in taken {
            if let Some(how) = other.read_by.remove(name) {
                self.read_by.insert(name, how);
            }
        }
    }
}
