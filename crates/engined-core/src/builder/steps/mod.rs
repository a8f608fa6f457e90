//! One file per instruction family: [`from`] (the base of a stage),
//! [`run`] (a command in a build container), [`copy`] (COPY and ADD: a
//! layer made from the context or another stage), [`config`] (the
//! instructions that only change the image config).

pub mod config;
pub mod copy;
pub mod from;
pub mod run;
