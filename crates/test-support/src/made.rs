//! What a test made through the docker CLI on a test engined, removed
//! again even when the test fails: its containers first, then its
//! networks (a network with endpoints cannot go).

use crate::engined::Engined;

/// The containers and networks one test made; removed on drop.
pub struct Made<'a> {
    d: &'a Engined,
    containers: Vec<String>,
    networks: Vec<String>,
}

impl<'a> Made<'a> {
    /// Nothing made yet on `d`.
    pub fn new(d: &'a Engined) -> Made<'a> {
        Made {
            d,
            containers: Vec::new(),
            networks: Vec::new(),
        }
    }

    /// `docker network create ARGS...` (the last argument is the name);
    /// returns the new network's id.
    pub fn network(&mut self, args: &[&str]) -> String {
        let name = args.last().expect("a network name").to_string();
        let mut all = vec!["network", "create"];
        all.extend(args);
        self.networks.push(name);
        self.d.docker(&all).trim().to_string()
    }

    /// `docker run -d --name NAME ARGS...`.
    pub fn run(&mut self, name: &str, args: &[&str]) {
        self.container(name);
        let mut all = vec!["run", "-d", "--name", name];
        all.extend(args);
        self.d.docker(&all);
    }

    /// Counts a container the test makes another way as its own.
    pub fn container(&mut self, name: &str) {
        self.containers.push(name.to_string());
    }

    /// Counts a network the test makes another way as its own.
    pub fn owns_network(&mut self, name: &str) {
        self.networks.push(name.to_string());
    }

    /// Lets go of the networks: the test removed them itself.
    pub fn forget_networks(&mut self) {
        self.networks.clear();
    }

    /// Lets go of everything: what was made stays (for a daemon started
    /// after this one to find).
    pub fn forget(&mut self) {
        self.containers.clear();
        self.networks.clear();
    }

    /// Removes everything made so far (errors ignored: this also runs
    /// while a failed test unwinds).
    pub fn clean(&mut self) {
        for c in self.containers.drain(..) {
            let _ = self.d.docker_output(&["rm", "-f", &c]);
        }
        for n in self.networks.drain(..) {
            let _ = self.d.docker_output(&["network", "rm", &n]);
        }
    }
}

impl Drop for Made<'_> {
    fn drop(&mut self) {
        self.clean();
    }
}
