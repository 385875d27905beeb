package com.mking.backup.restore;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DefaultJobsTest {

    @Test
    void twoCoresOrFewerStreamWithOneJob() {
        assertThat(Restorer.defaultJobs(1)).isEqualTo(1);
        assertThat(Restorer.defaultJobs(2)).isEqualTo(1);
    }

    @Test
    void moreCoresGetOneJobEachUpToFour() {
        assertThat(Restorer.defaultJobs(3)).isEqualTo(3);
        assertThat(Restorer.defaultJobs(4)).isEqualTo(4);
        assertThat(Restorer.defaultJobs(32)).isEqualTo(4);
    }
}
