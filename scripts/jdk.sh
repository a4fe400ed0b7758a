# Sourced by ./iteralign and scripts/test: points JAVA_HOME at a JDK 25 or newer (the machine's default java may be older).
iteralign_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}

iteralign_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/java-2[5-9]-* \
                   /usr/lib/jvm/jdk-2[5-9]* /opt/java/openjdk "$HOME"/.sdkman/candidates/java/2[5-9]*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    major=$(iteralign_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then
      JAVA_HOME="$candidate"
      export JAVA_HOME
      return 0
    fi
  done
  echo "error: JDK 25 not found: install a JDK 25 (e.g. Eclipse Temurin 25) and set JAVA_HOME to it" >&2
  return 2
}
