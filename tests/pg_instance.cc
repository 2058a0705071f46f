#include "tests/pg_instance.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/test_support.h"

namespace agreements::testing {
namespace {

constexpr char kBin[] = "/usr/lib/postgresql/15/bin";

// Prefix of every command: run as `postgres` when we are root (PostgreSQL refuses root).
std::string AsPostgres() { return geteuid() == 0 ? "runuser -u postgres -- " : ""; }

absl::Status Run(const std::string& command) {
  CommandResult result = RunCommand(command + " 2>&1");
  if (result.exit_code != 0) {
    return absl::InternalError(absl::StrCat(command, ": ", result.output));
  }
  return absl::OkStatus();
}

// A fresh directory the server's user owns.
absl::StatusOr<std::string> MakeDir(const std::string& parent, const std::string& name) {
  const std::string dir = absl::StrCat(parent, "/", name);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("mkdir ", dir, ": ", ec.message()));
  chmod(parent.c_str(), 0755);
  if (geteuid() == 0) {
    passwd* pg = getpwnam("postgres");
    if (pg == nullptr) return absl::FailedPreconditionError("no postgres user");
    if (chown(dir.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
      return absl::InternalError(absl::StrCat("chown ", dir));
    }
  }
  return dir;
}

}  // namespace

bool PgInstance::Available() {
  return access(absl::StrCat(kBin, "/initdb").c_str(), X_OK) == 0 &&
         (geteuid() != 0 || getpwnam("postgres") != nullptr);
}

std::string PgInstance::host_port() const {
  return absl::StrCat("host=", dir_, " port=5432");
}

std::string PgInstance::conninfo() const {
  return absl::StrCat(host_port(), " dbname=postgres user=postgres");
}

std::string PgInstance::ClusterConninfo(const std::vector<const PgInstance*>& servers) {
  std::vector<std::string> hosts, ports;
  for (const PgInstance* server : servers) {
    hosts.push_back(server->dir_);
    ports.push_back("5432");
  }
  return absl::StrCat("host=", absl::StrJoin(hosts, ","),
                      " port=", absl::StrJoin(ports, ","),
                      " dbname=postgres user=postgres target_session_attrs=read-write "
                      "connect_timeout=2");
}

absl::StatusOr<std::unique_ptr<PgInstance>> PgInstance::StartPrimary(
    const std::string& parent, const std::string& name,
    const std::string& sync_standbys) {
  absl::StatusOr<std::string> dir = MakeDir(parent, name);
  if (!dir.ok()) return dir.status();
  std::unique_ptr<PgInstance> pg(new PgInstance(*dir));
  absl::Status made =
      Run(absl::StrCat("cd ", *dir, " && ", AsPostgres(), kBin, "/initdb -D ", *dir,
                       "/data -U postgres --auth=trust --no-locale -E UTF8 --no-sync"));
  if (!made.ok()) return made;
  std::ofstream conf(*dir + "/data/postgresql.conf", std::ios::app);
  conf << "listen_addresses = ''\n"
       << "unix_socket_directories = '" << *dir << "'\n"
       << "shared_buffers = 32MB\n"
       << "max_wal_senders = 5\n"
       << "wal_level = replica\n"
       << "hot_standby = on\n"
       << "synchronous_commit = on\n"
       << "synchronous_standby_names = '" << sync_standbys << "'\n"
       << "wal_sender_timeout = 5s\n"
       << "wal_receiver_status_interval = 1s\n"
       << "logging_collector = off\n";
  conf.close();
  if (absl::Status started = pg->Start(); !started.ok()) return started;
  return pg;
}

absl::StatusOr<std::unique_ptr<PgInstance>> PgInstance::StartStandby(
    const std::string& parent, const std::string& name, const PgInstance& primary) {
  absl::StatusOr<std::string> dir = MakeDir(parent, name);
  if (!dir.ok()) return dir.status();
  std::unique_ptr<PgInstance> pg(new PgInstance(*dir));
  absl::Status copied = Run(
      absl::StrCat("cd ", *dir, " && ", AsPostgres(), kBin, "/pg_basebackup -D ", *dir,
                   "/data -h ", primary.dir_, " -p 5432 -U postgres -X stream -c fast"));
  if (!copied.ok()) return copied;
  std::ofstream conf(*dir + "/data/postgresql.auto.conf", std::ios::app);
  conf << "unix_socket_directories = '" << *dir << "'\n"
       << "primary_conninfo = 'host=" << primary.dir_
       << " port=5432 user=postgres application_name=" << name << "'\n";
  conf.close();
  std::ofstream(*dir + "/data/standby.signal").close();
  if (geteuid() == 0) {
    (void)Run(absl::StrCat("chown -R postgres: ", *dir, "/data"));
  }
  if (absl::Status started = pg->Start(); !started.ok()) return started;
  return pg;
}

absl::Status PgInstance::Start() {
  absl::Status started =
      Run(absl::StrCat("cd ", dir_, " && ", AsPostgres(), kBin, "/pg_ctl -D ", dir_,
                       "/data -l ", dir_, "/server.log -w -t 60 start"));
  if (!started.ok()) {
    std::ifstream log(dir_ + "/server.log");
    std::string text((std::istreambuf_iterator<char>(log)), {});
    return absl::InternalError(absl::StrCat(started.message(), "\n", text));
  }
  running_ = true;
  return absl::OkStatus();
}

void PgInstance::Kill() {
  if (!running_) return;
  std::ifstream pidfile(dir_ + "/data/postmaster.pid");
  pid_t pid = 0;
  pidfile >> pid;
  if (pid > 0) {
    kill(pid, SIGKILL);
    // Its children notice the postmaster's death by themselves; kill them at once, as
    // a dead machine would.
    (void)RunCommand(absl::StrCat("pkill -KILL -P ", pid));
  }
  for (int i = 0; i < 100 && pid > 0 && kill(pid, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  running_ = false;
}

absl::Status PgInstance::Promote() {
  return Run(absl::StrCat("cd ", dir_, " && ", AsPostgres(), kBin, "/pg_ctl -D ", dir_,
                          "/data -w -t 60 promote"));
}

absl::StatusOr<std::string> PgInstance::Psql(const std::string& sql) const {
  CommandResult result = RunCommand(absl::StrCat(
      "cd ", dir_, " && ", AsPostgres(), kBin, "/psql -X -A -t -h ", dir_,
      " -p 5432 -U postgres -d postgres -v ON_ERROR_STOP=1 -c \"", sql, "\" 2>&1"));
  if (result.exit_code != 0) return absl::InternalError(result.output);
  return result.output;
}

PgInstance::~PgInstance() {
  if (running_) {
    (void)Run(absl::StrCat("cd ", dir_, " && ", AsPostgres(), kBin, "/pg_ctl -D ", dir_,
                           "/data -m immediate -w -t 30 stop"));
    Kill();
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace agreements::testing
